package com.diegonmarcos.mailpack.modules.spool;

import java.io.File;
import java.time.Clock;
import java.time.Duration;

import javax.inject.Singleton;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.Startable;
import org.apache.james.mailetcontainer.api.MailProcessor;
import org.apache.james.mailetcontainer.impl.CompositeProcessorImpl;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Bounded processing attempts for the spool ({@link BoundedAttemptsMailProcessor}), settings from
 * {@code <spooler>} in {@code conf/mailetcontainer.xml}, and the {@code poison-mail} health check.
 * {@link #PROCESSOR} must be installed as an override: it replaces James' binding of
 * {@link MailProcessor}, the processor the spooler calls.
 */
public class SpoolModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(SpoolModule.class);
    static final String FILE = "conf/mailetcontainer.xml";
    static final String ATTEMPTS_DIRECTORY = "file://var/store/spool-attempts";
    /** Counts older than this belong to mail no longer in the spool. */
    static final Duration STALE = Duration.ofDays(7);

    /** Overrides James' {@code MailProcessor} binding with the bounded one. */
    public static final Module PROCESSOR = binder -> binder.bind(MailProcessor.class).to(BoundedAttemptsMailProcessor.class);

    /** Marks the start-up step (a class with no constructor dependencies: nothing to order it by). */
    static final class PoisonRepositoryAtStart implements Startable {
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(PoisonMailHealthCheck.class);
    }

    @Provides
    @Singleton
    PoisonSettings settings(ConfigurationProvider configurations) throws ConfigurationException {
        HierarchicalConfiguration<ImmutableNode> spooler = configurations.getConfiguration("mailetcontainer").configurationAt("spooler");
        try {
            return PoisonSettings.parse(spooler.getString("maxAttempts", String.valueOf(PoisonSettings.DEFAULT_ATTEMPTS)),
                spooler.getString("poisonRepository", PoisonSettings.DEFAULT_REPOSITORY));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": " + e.getMessage(), e);
        }
    }

    @Provides
    @Singleton
    ProcessingAttempts attempts(FileSystem fileSystem) throws java.io.IOException {
        File directory = fileSystem.getFile(ATTEMPTS_DIRECTORY);
        return new ProcessingAttempts(directory.toPath(), Clock.systemUTC());
    }

    @Provides
    @Singleton
    BoundedAttemptsMailProcessor processor(CompositeProcessorImpl james, ProcessingAttempts attempts, PoisonSettings settings,
                                           MailRepositoryStore repositories, FileSystem fileSystem) throws java.io.IOException {
        return new BoundedAttemptsMailProcessor(james, attempts, settings, repositories,
            fileSystem.getFile(BoundedAttemptsMailProcessor.LAST_RESORT_DIRECTORY).toPath());
    }

    /** Opens the poison repository at start (a bad URL stops the start; webadmin lists it) and drops stale counts. */
    @ProvidesIntoSet
    InitializationOperation openPoisonRepository(MailRepositoryStore repositories, PoisonSettings settings, ProcessingAttempts attempts) {
        return InitilizationOperationBuilder.forClass(PoisonRepositoryAtStart.class).init(() -> {
            long size;
            try {
                size = repositories.select(settings.repository()).size();
            } catch (RuntimeException | MailRepositoryStore.MailRepositoryStoreException e) {
                throw new ConfigurationException(FILE + ": <spooler><poisonRepository> " + settings.repository().asString()
                    + " cannot be opened (is its protocol in conf/mailrepositorystore.xml?): " + e.getMessage(), e);
            }
            int stale = attempts.removeOlderThan(STALE);
            LOGGER.info("Spool: a mail is tried at most {} times, then moved to {} (holds {} mail(s)){}", settings.maxAttempts(),
                settings.repository().asString(), size, stale > 0 ? "; removed " + stale + " stale attempt count(s)" : "");
        });
    }
}
