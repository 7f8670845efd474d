package com.diegonmarcos.mailpack.modules;

import java.io.FileNotFoundException;
import java.util.Iterator;
import java.util.List;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.lifecycle.api.Startable;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Creates the aliases listed in {@code conf/aliases.properties} ({@code source=target}) when they
 * are missing, after the domain list is configured. It only adds: aliases changed or removed over
 * webadmin are the operator's and are left alone, except that a removed shipped alias comes back at
 * the next start while its line stays in the file.
 */
public class ShippedAliasesModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(ShippedAliasesModule.class);
    private static final String FILE = "aliases";

    /** Marks the start-up step, so that James orders it after the domain list and the table. */
    static final class ShippedAliases implements Startable {
    }

    @ProvidesIntoSet
    InitializationOperation createShippedAliases(PropertiesProvider properties, RecipientRewriteTable table) {
        return InitilizationOperationBuilder.forClass(ShippedAliases.class)
            .init(() -> create(properties, table))
            .requires(List.of(JPADomainList.class, JPARecipientRewriteTable.class));
    }

    private static void create(PropertiesProvider properties, RecipientRewriteTable table) throws Exception {
        Configuration aliases;
        try {
            aliases = properties.getConfiguration(FILE);
        } catch (FileNotFoundException e) {
            return;
        }
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
            MappingSource mappingSource = MappingSource.fromMailAddress(sourceAddress);
            if (table.getStoredMappings(mappingSource).contains(Mapping.alias(targetAddress.asString()))) {
                continue;
            }
            table.addAliasMapping(mappingSource, targetAddress.asString());
            LOGGER.info("Created shipped alias {} -> {}", sourceAddress, targetAddress);
        }
    }
}
