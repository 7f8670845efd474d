package com.diegonmarcos.mailpack.modules.routing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.inject.Singleton;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.Domain;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.webadmin.Routes;

import com.diegonmarcos.mailpack.routing.CatchAllRule;
import com.diegonmarcos.mailpack.routing.CatchAllRules;
import com.diegonmarcos.mailpack.routing.RecipientResolver;
import com.diegonmarcos.mailpack.routing.SubaddressSettings;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;

/**
 * Recipient routing: {@code conf/recipients.xml} (subaddressing, catch-all per domain), the
 * run-time catch-all overrides and their webadmin routes ({@code /catchall}).
 */
public class RoutingModule extends AbstractModule {
    static final String FILE = "conf/recipients.xml";
    static final String OVERRIDES = "file://var/catchall.json";

    @Override
    protected void configure() {
        bind(CatchAllRules.class).to(CatchAllStore.class);
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(CatchAllRoutes.class);
    }

    @Provides
    @Singleton
    SubaddressSettings subaddressSettings(ConfigurationProvider configurations) throws ConfigurationException {
        HierarchicalConfiguration<ImmutableNode> conf = configurations.getConfiguration("recipients");
        try {
            return new SubaddressSettings(conf.getString("subaddress[@separator]", "+"),
                conf.getBoolean("subaddress[@deliverToFolder]", false));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": subaddress: " + e.getMessage(), e);
        }
    }

    @Provides
    @Singleton
    CatchAllStore catchAllStore(ConfigurationProvider configurations, FileSystem fileSystem) throws ConfigurationException, IOException {
        HierarchicalConfiguration<ImmutableNode> conf = configurations.getConfiguration("recipients");
        Map<Domain, CatchAllRule> rules = new HashMap<>();
        List<HierarchicalConfiguration<ImmutableNode>> catchAlls = conf.configurationsAt("catchall");
        for (int i = 0; i < catchAlls.size(); i++) {
            HierarchicalConfiguration<ImmutableNode> entry = catchAlls.get(i);
            String where = FILE + ": catchall[" + (i + 1) + "]";
            String domain = entry.getString("[@domain]", "");
            if (domain.isBlank()) {
                throw new ConfigurationException(where + ": the domain attribute is required");
            }
            try {
                if (rules.put(Domain.of(domain), CatchAllStore.rule(entry.getString("[@target]", null),
                        List.of(entry.getStringArray("exclude")), entry.getString("[@sourceRouteForms]", null), where)) != null) {
                    throw new ConfigurationException(where + ": domain " + domain + " has two catch-all rules");
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigurationException(e.getMessage(), e);
            }
        }
        Path overrides = fileSystem.getFile(OVERRIDES).toPath();
        return new CatchAllStore(rules, overrides);
    }

    @Provides
    @Singleton
    RecipientResolver recipientResolver(UsersRepository users, RecipientRewriteTable mappings, CatchAllRules catchAll,
                                        SubaddressSettings subaddressing) {
        return new RecipientResolver(users, mappings, catchAll, subaddressing.separator());
    }
}
