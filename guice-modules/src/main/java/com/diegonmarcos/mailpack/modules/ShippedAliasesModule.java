package com.diegonmarcos.mailpack.modules;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.Startable;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.jpa.JPAUsersRepository;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Creates the aliases listed in {@code conf/aliases.properties} ({@code source=target}), once each,
 * after the domain list is configured.
 *
 * <p>Each one created is written down in {@value #CREATED} (one {@code source=target} per line), so
 * that an alias the operator removed over webadmin stays removed: the file's line alone does not bring
 * it back at the next start. An alias whose address is a user's is never created (it would take that
 * user's mail: after {@code me@} was removed and created as a user, a restart sent me@'s mail to
 * diego@ again). A server that created the aliases before this record existed records those it finds
 * in place at its first start.
 */
public class ShippedAliasesModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(ShippedAliasesModule.class);
    private static final String FILE = "aliases";
    static final String CREATED = "file://var/store/shipped-aliases.created";

    /** Marks the start-up step, so that James orders it after the domain list and the table. */
    static final class ShippedAliases implements Startable {
    }

    @ProvidesIntoSet
    InitializationOperation createShippedAliases(PropertiesProvider properties, RecipientRewriteTable table,
                                                 UsersRepository users, FileSystem fileSystem) {
        return InitilizationOperationBuilder.forClass(ShippedAliases.class)
            .init(() -> create(properties, table, users, fileSystem.getFile(CREATED).toPath()))
            .requires(List.of(JPADomainList.class, JPARecipientRewriteTable.class, JPAUsersRepository.class));
    }

    private static void create(PropertiesProvider properties, RecipientRewriteTable table, UsersRepository users,
                               Path record) throws Exception {
        Configuration aliases;
        try {
            aliases = properties.getConfiguration(FILE);
        } catch (FileNotFoundException e) {
            return;
        }
        boolean firstRecord = !Files.exists(record);
        Set<String> created = firstRecord ? new LinkedHashSet<>() : new LinkedHashSet<>(Files.readAllLines(record, StandardCharsets.UTF_8));
        int recorded = created.size();
        for (Iterator<String> sources = aliases.getKeys(); sources.hasNext(); ) {
            String source = sources.next();
            String target = aliases.getString(source);
            MailAddress sourceAddress;
            MailAddress targetAddress;
            try {
                sourceAddress = new MailAddress(source);
                targetAddress = new MailAddress(target);
            } catch (Exception e) {
                throw new ConfigurationException("conf/" + FILE + ".properties: '" + source + "=" + target + "' is not address=address", e);
            }
            String line = sourceAddress.asString() + "=" + targetAddress.asString();
            MappingSource mappingSource = MappingSource.fromMailAddress(sourceAddress);
            if (table.getStoredMappings(mappingSource).contains(Mapping.alias(targetAddress.asString()))) {
                created.add(line); // in place (created by an earlier start): from now on it is recorded
                continue;
            }
            if (created.contains(line)) {
                LOGGER.debug("Shipped alias {} -> {} was removed by the operator: not created again", sourceAddress, targetAddress);
                continue;
            }
            if (users.contains(Username.fromMailAddress(sourceAddress))) {
                LOGGER.info("Shipped alias {} -> {} not created: {} is a user", sourceAddress, targetAddress, sourceAddress);
                continue;
            }
            table.addAliasMapping(mappingSource, targetAddress.asString());
            created.add(line);
            LOGGER.info("Created shipped alias {} -> {}", sourceAddress, targetAddress);
        }
        if (firstRecord || created.size() != recorded) {
            Files.createDirectories(record.getParent());
            Path temporary = record.resolveSibling(record.getFileName() + ".tmp");
            Files.write(temporary, created, StandardCharsets.UTF_8);
            Files.move(temporary, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
