package com.diegonmarcos.mailpack.modules.dkim;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Singleton;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.Startable;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.util.DurationParser;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.dkim.DkimKeys;
import com.diegonmarcos.mailpack.dkim.SigningKey;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * DKIM keys ({@code var/dkim/}, {@code conf/dkim.xml}) for the {@code DkimSign} mailet, their
 * webadmin routes ({@code /dkim}), and keys for every local domain at start-up.
 */
public class DkimModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(DkimModule.class);
    static final String FILE = "conf/dkim.xml";
    static final String DIRECTORY = "file://var/dkim";

    /** Marks the start-up step, so that James orders it after the domain list. */
    static final class DkimKeysAtStart implements Startable {
    }

    @Override
    protected void configure() {
        bind(DkimKeys.class).to(DkimKeyStore.class);
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(DkimRoutes.class);
    }

    @Provides
    @Singleton
    DkimKeyStore keyStore(ConfigurationProvider configurations, FileSystem fileSystem, Clock clock, DomainList domains)
        throws ConfigurationException, IOException {
        HierarchicalConfiguration<ImmutableNode> conf = configurations.getConfiguration("dkim");
        Optional<Duration> activationDelay = duration(conf.getString("rotation[@activationDelay]", "none"), "rotation@activationDelay", true);
        Duration gracePeriod = duration(conf.getString("rotation[@gracePeriod]", "7d"), "rotation@gracePeriod", false).orElseThrow();
        Map<String, List<DkimKeyStore.ConfiguredKey>> configured = new LinkedHashMap<>();
        List<HierarchicalConfiguration<ImmutableNode>> domainElements = conf.configurationsAt("domain");
        for (int i = 0; i < domainElements.size(); i++) {
            HierarchicalConfiguration<ImmutableNode> element = domainElements.get(i);
            String where = FILE + ": domain[" + (i + 1) + "]";
            String name = element.getString("[@name]", "").trim();
            try {
                name = DkimKeyStore.normalize(name);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(where + ": name: " + e.getMessage());
            }
            List<DkimKeyStore.ConfiguredKey> keys = new ArrayList<>();
            List<HierarchicalConfiguration<ImmutableNode>> keyElements = element.configurationsAt("key");
            for (int k = 0; k < keyElements.size(); k++) {
                String keyWhere = where + "/key[" + (k + 1) + "]";
                String selector = keyElements.get(k).getString("[@selector]", "").trim();
                String file = keyElements.get(k).getString("[@privateKey]", "").trim();
                if (!SigningKey.isValidSelector(selector)) {
                    throw new ConfigurationException(keyWhere + ": selector '" + selector + "' is not DNS labels");
                }
                if (file.isEmpty()) {
                    throw new ConfigurationException(keyWhere + ": privateKey (a PEM file) is required");
                }
                keys.add(new DkimKeyStore.ConfiguredKey(selector, fileSystem.getFile(file.contains("://") ? file : "file://" + file).toPath()));
            }
            if (keys.isEmpty()) {
                throw new ConfigurationException(where + ": at least one <key selector=\"...\" privateKey=\"...\"/> is required");
            }
            if (configured.put(name, keys) != null) {
                throw new ConfigurationException(where + ": domain " + name + " appears twice");
            }
        }
        Path directory = fileSystem.getFile(DIRECTORY).toPath();
        DkimKeyStore store;
        try {
            store = new DkimKeyStore(directory, new DkimKeyStore.Settings(activationDelay, gracePeriod, configured), clock,
                domain -> isLocal(domains, domain));
        } catch (IOException e) {
            throw new ConfigurationException(FILE + ": " + e.getMessage(), e);
        }
        LOGGER.info("DKIM keys in {}; rotation: activation {}, grace period {}; keys from {}: {}", directory,
            activationDelay.map(delay -> "after " + delay + " or on confirm").orElse("on confirm"), gracePeriod, FILE,
            configured.isEmpty() ? "none" : configured.keySet());
        return store;
    }

    @ProvidesIntoSet
    InitializationOperation keysForLocalDomains(DkimKeyStore store, DomainList domains) {
        return InitilizationOperationBuilder.forClass(DkimKeysAtStart.class)
            .init(() -> {
                for (Domain domain : domains.getDomains()) {
                    try {
                        if (store.ensureKeys(domain.asString())) {
                            LOGGER.warn("New DKIM keys for {}: publish these records (GET /dkim/{}/records prints them again):\n{}",
                                domain.asString(), domain.asString(), DkimRecords.zone(domain.asString(), store.keys(domain.asString())));
                        }
                    } catch (IllegalArgumentException e) {
                        LOGGER.debug("no DKIM keys for {}: {}", domain.asString(), e.getMessage());
                    }
                }
            })
            .requires(List.of(JPADomainList.class));
    }

    private static boolean isLocal(DomainList domains, String domain) {
        try {
            return domains.containsDomain(Domain.of(domain));
        } catch (DomainListException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot tell whether " + domain + " is local: " + e.getMessage(), e);
        }
    }

    private static Optional<Duration> duration(String value, String where, boolean noneAllowed) throws ConfigurationException {
        if (noneAllowed && value.trim().equalsIgnoreCase("none")) {
            return Optional.empty();
        }
        try {
            return Optional.of(DurationParser.parse(value.trim(), ChronoUnit.SECONDS));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": " + where + ": '" + value + "' is not a duration such as 48h or 7d"
                + (noneAllowed ? " (or none)" : ""), e);
        }
    }
}
