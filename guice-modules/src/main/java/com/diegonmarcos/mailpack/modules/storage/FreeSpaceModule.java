package com.diegonmarcos.mailpack.modules.storage;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Singleton;

import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.server.ConfVariables;
import com.diegonmarcos.mailpack.storage.FreeSpace;
import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * The free-space guard of the data directories ({@link FreeSpace}, {@value FreeSpace#VARIABLE}): the
 * SMTP hook {@code FreeSpaceCheck} (named in {@code smtpserver.xml}) and {@link #IMAP} refuse new mail
 * while the disk is low, {@link FreeSpaceHealthCheck} shows it on {@code /healthcheck}; and
 * {@link EmbeddedDatabaseWatch} ends the server when the embedded database has shut down all the same.
 */
public class FreeSpaceModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(FreeSpaceModule.class);
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Everything the server writes while it takes and delivers mail; a mount point may be below var/. */
    static final List<String> DIRECTORIES = List.of("file://var", "file://var/store", "file://var/store/derby",
        "file://var/store/activemq", "file://var/store/bodies", "file://var/store/lucene", "file://var/mail");

    /** IMAP APPEND and COPY through {@link FreeSpaceImapProcessor}; goes among the server's overrides, over the login guard. */
    public static final Module IMAP = new AbstractModule() {
        @Override
        protected void configure() {
            bind(ImapProcessor.class).to(FreeSpaceImapProcessor.class);
        }
    };

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(FreeSpaceHealthCheck.class);
        bind(EmbeddedDatabaseWatch.class).in(com.google.inject.Scopes.SINGLETON);
    }

    @ProvidesIntoSet
    InitializationOperation watchTheDatabase(EmbeddedDatabaseWatch watch) {
        return InitilizationOperationBuilder.forClass(EmbeddedDatabaseWatch.class).init(watch::start);
    }

    @Provides
    @Singleton
    FreeSpace freeSpace(FileSystem fileSystem, ConfVariables variables) throws FileNotFoundException {
        long minimum = FreeSpace.minimumBytes(variables.get(FreeSpace.VARIABLE).orElse(null));
        List<Path> directories = new ArrayList<>();
        for (String directory : DIRECTORIES) {
            directories.add(fileSystem.getFile(directory).toPath());
        }
        FreeSpace space = new FreeSpace(directories, minimum);
        if (minimum == 0) {
            LOGGER.warn("{}=0: mail is accepted however little disk space is left", FreeSpace.VARIABLE);
            return space;
        }
        LOGGER.info("New mail is refused while less than {} MiB are free ({}) in {}; now {}", minimum / (1024 * 1024),
            FreeSpace.VARIABLE, space.watched(), space.describe());
        return space.start(INTERVAL);
    }
}
