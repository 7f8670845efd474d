package com.diegonmarcos.mailpack.modules;

import java.io.FileNotFoundException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import javax.inject.Singleton;
import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.CoreDataModule;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.mailrepository.api.MailRepositoryFactory;
import org.apache.james.mailrepository.api.MailRepositoryUrlStore;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.jpa.JPAMailRepositoryFactory;
import org.apache.james.mailrepository.jpa.JPAMailRepositoryUrlStore;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.rrt.api.AliasReverseResolver;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.AliasReverseResolverImpl;
import org.apache.james.rrt.lib.CanSendFromImpl;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.sieve.jpa.JPASieveRepository;
import org.apache.james.sieverepository.api.SieveQuotaRepository;
import org.apache.james.sieverepository.api.SieveRepository;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.jpa.JPAUsersRepository;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.server.ConfVariables;
import com.diegonmarcos.mailpack.users.PasswordPolicy;
import com.diegonmarcos.mailpack.modules.jpa.BoundedJpaMailRepository;
import com.diegonmarcos.mailpack.modules.jpa.CachingJpaDomainList;
import com.diegonmarcos.mailpack.modules.jpa.CachingJpaRecipientRewriteTable;
import com.diegonmarcos.mailpack.modules.jpa.CachingJpaSieveRepository;
import com.diegonmarcos.mailpack.modules.jpa.CachingJpaUsersRepository;
import com.diegonmarcos.mailpack.modules.jpa.MailRepositoryColumns;
import com.diegonmarcos.mailpack.users.PolicyEnforcingUsersRepository;

import com.google.common.collect.ImmutableList;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Everything James keeps in the relational database apart from mailboxes: domains, users, the
 * recipient rewrite table (aliases, forwards), mail repositories and Sieve scripts, plus the
 * {@link EntityManagerFactory} they share, built from {@code conf/james-database.properties}.
 *
 * <p>The entity classes are listed in our {@code META-INF/persistence.xml} (unit "Global").
 */
public class JpaPersistenceModule extends AbstractModule {
    static final String PERSISTENCE_UNIT = "Global";
    private static final Logger LOGGER = LoggerFactory.getLogger(JpaPersistenceModule.class);
    /** {@code embedded} (default) or {@code postgresql}: which of the two shipped database files is read. */
    public static final String DATABASE_VARIABLE = "MAILPACK_DATABASE";
    private static final Map<String, String> DATABASE_FILES = Map.of(
        "embedded", "james-database",
        "postgresql", "james-database-postgresql");

    @Override
    protected void configure() {
        install(new CoreDataModule());

        // the lookups every message repeats are cached (LookupCache); writes through mailpack invalidate
        bind(CachingJpaDomainList.class).in(Scopes.SINGLETON);
        bind(JPADomainList.class).to(CachingJpaDomainList.class);
        bind(DomainList.class).to(CachingJpaDomainList.class);

        bind(CachingJpaUsersRepository.class).in(Scopes.SINGLETON);
        bind(JPAUsersRepository.class).to(CachingJpaUsersRepository.class);

        bind(CachingJpaRecipientRewriteTable.class).in(Scopes.SINGLETON);
        bind(JPARecipientRewriteTable.class).to(CachingJpaRecipientRewriteTable.class);
        bind(RecipientRewriteTable.class).to(CachingJpaRecipientRewriteTable.class);
        bind(AliasReverseResolver.class).to(AliasReverseResolverImpl.class).in(Scopes.SINGLETON);
        bind(CanSendFrom.class).to(CanSendFromImpl.class).in(Scopes.SINGLETON);

        bind(JPAMailRepositoryUrlStore.class).in(Scopes.SINGLETON);
        bind(MailRepositoryUrlStore.class).to(JPAMailRepositoryUrlStore.class);
        bind(MailRepositoryStoreConfiguration.Item.class).toProvider(() -> new MailRepositoryStoreConfiguration.Item(
            ImmutableList.of(new Protocol("jpa")), BoundedJpaMailRepository.class.getName(), new BaseHierarchicalConfiguration()));
        Multibinder.newSetBinder(binder(), MailRepositoryFactory.class).addBinding().to(JPAMailRepositoryFactory.class);

        bind(CachingJpaSieveRepository.class).in(Scopes.SINGLETON);
        bind(JPASieveRepository.class).to(CachingJpaSieveRepository.class);
        bind(SieveRepository.class).to(CachingJpaSieveRepository.class);
        bind(SieveQuotaRepository.class).to(CachingJpaSieveRepository.class);
    }

    /** Every password set through James (webadmin, CLI, any route) passes the password policy. */
    @Provides
    @Singleton
    UsersRepository usersRepository(JPAUsersRepository jpaUsers) {
        return new PolicyEnforcingUsersRepository(jpaUsers, PasswordPolicy.withBundledList());
    }

    @Provides
    @Singleton
    EntityManagerFactory entityManagerFactory(PropertiesProvider propertiesProvider, ConfVariables variables)
            throws FileNotFoundException, ConfigurationException {
        String file = databaseFile(variables.get(DATABASE_VARIABLE).orElse("embedded"));
        if (!file.equals(DATABASE_FILES.get("embedded"))) {
            refuseToHideAnEmbeddedDatabase(variables.get(ConfVariables.HOME).orElse("."));
        }
        Configuration database = propertiesProvider.getConfiguration(file);
        Map<String, String> properties = openJpaProperties(file, database);
        String url = properties.get("openjpa.ConnectionURL");
        LOGGER.info("Database: {} (conf/{}.properties, {}={})", url.replaceFirst("\\?.*", "?..."), file, DATABASE_VARIABLE,
            variables.get(DATABASE_VARIABLE).orElse("embedded"));
        EntityManagerFactory entityManagerFactory = Persistence.createEntityManagerFactory(PERSISTENCE_UNIT, properties);
        MailRepositoryColumns.widen(entityManagerFactory);
        return entityManagerFactory;
    }

    /**
     * An embedded database left in {@code var/store/derby} (a server that ran on the default before) holds
     * mailboxes and users that the newly selected database does not: starting would show empty mailboxes
     * and file new mail elsewhere. The start stops instead, saying how to go on.
     */
    static void refuseToHideAnEmbeddedDatabase(String home) throws ConfigurationException {
        java.nio.file.Path derby = java.nio.file.Path.of(home, "var", "store", "derby");
        if (java.nio.file.Files.exists(derby.resolve("service.properties"))) {
            throw new ConfigurationException(DATABASE_VARIABLE + " selects PostgreSQL, but " + derby + " holds the embedded "
                + "database this server used so far (its mailboxes and users would seem gone): set " + DATABASE_VARIABLE
                + "=embedded to keep it, or move its mail over first and then set the directory aside (docs/database.md)");
        }
    }

    /** The properties file (without extension) that {@code MAILPACK_DATABASE} selects. */
    static String databaseFile(String choice) throws ConfigurationException {
        String file = DATABASE_FILES.get(choice.trim().toLowerCase(java.util.Locale.ROOT));
        if (file == null) {
            throw new ConfigurationException(DATABASE_VARIABLE + " must be 'embedded' (conf/james-database.properties) or "
                + "'postgresql' (conf/james-database-postgresql.properties), got '" + choice + "'");
        }
        return file;
    }

    /**
     * Maps {@code conf/james-database.properties} onto OpenJPA properties: {@code database.*} for the
     * connection, {@code datasource.*} for the DBCP pool, and any {@code openjpa.*} key as it is.
     */
    static Map<String, String> openJpaProperties(String file, Configuration database) throws ConfigurationException {
        Map<String, String> properties = new HashMap<>();
        properties.put("openjpa.ConnectionDriverName", required(file, database, "database.driverClassName"));
        properties.put("openjpa.ConnectionURL", required(file, database, "database.url"));
        String username = database.getString("database.username", "");
        if (!username.isBlank()) {
            properties.put("openjpa.ConnectionUserName", username);
            properties.put("openjpa.ConnectionPassword", database.getString("database.password", ""));
        }
        properties.put("openjpa.Multithreaded", database.getString("openjpa.Multithreaded", "true"));

        StringBuilder pool = new StringBuilder();
        for (Iterator<String> keys = database.getKeys("datasource"); keys.hasNext(); ) {
            String key = keys.next();
            String poolKey = key.substring("datasource.".length());
            String value = database.getString(key);
            switch (poolKey) {
                case "testOnBorrow":
                    poolKey = "TestOnBorrow";
                    break;
                case "validationQuery":
                    poolKey = "ValidationSQL";
                    value = "'" + value + "'";
                    break;
                case "maxTotal":
                    poolKey = "MaxTotal";
                    break;
                case "validationQueryTimeoutSec":
                    poolKey = "ValidationTimeout";
                    value = String.valueOf(Integer.parseInt(value) * 1000);
                    break;
                default:
                    break;
            }
            pool.append(pool.length() == 0 ? "" : ",").append(poolKey).append('=').append(value);
        }
        properties.put("openjpa.ConnectionProperties", pool.toString());
        for (Iterator<String> keys = database.getKeys("openjpa"); keys.hasNext(); ) {
            String key = keys.next();
            properties.put(key, database.getString(key));
        }
        return properties;
    }

    private static String required(String file, Configuration database, String key) throws ConfigurationException {
        String value = database.getString(key, "");
        if (value.isBlank()) {
            throw new ConfigurationException("conf/" + file + ".properties: " + key + " is required");
        }
        return value;
    }

    @ProvidesIntoSet
    InitializationOperation configureDomains(DomainListConfiguration configuration, JPADomainList domains) {
        return InitilizationOperationBuilder.forClass(JPADomainList.class)
            .init(() -> domains.configure(configuration));
    }

    @ProvidesIntoSet
    InitializationOperation configureUsers(ConfigurationProvider configurations, JPAUsersRepository users) {
        return InitilizationOperationBuilder.forClass(JPAUsersRepository.class)
            .init(() -> users.configure(configurations.getConfiguration("usersrepository")));
    }

    @ProvidesIntoSet
    InitializationOperation configureRecipientRewriteTable(ConfigurationProvider configurations, JPARecipientRewriteTable table) {
        return InitilizationOperationBuilder.forClass(JPARecipientRewriteTable.class)
            .init(() -> table.configure(configurations.getConfiguration("recipientrewritetable")));
    }
}
