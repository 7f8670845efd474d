package com.diegonmarcos.mailpack.modules.storage;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.modules.ServerExit;

/**
 * Ends the JVM ({@link ServerExit}) when the embedded Derby database stops answering: Derby shuts a
 * database down after an error it cannot recover from while running (a log or data page it could not
 * write, typically on a full disk), and from then on every login, delivery and webadmin call fails
 * while the JVM stays up. A restart recovers the database from its log.
 *
 * <p>Every {@link #INTERVAL} a trivial statement ({@code VALUES 1}, no lock) runs through the server's
 * own connections; {@link #FAILURES} failures in a row end the server. A statement that is slow is
 * waited for, never counted: a busy database is not a dead one. PostgreSQL runs outside the JVM and
 * reconnects by itself, so it is not watched.
 */
public final class EmbeddedDatabaseWatch implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedDatabaseWatch.class);
    static final Duration INTERVAL = Duration.ofSeconds(5);
    static final int FAILURES = 3;

    private final EntityManagerFactory database;
    private ScheduledExecutorService timer;
    private int failures;

    @Inject
    EmbeddedDatabaseWatch(EntityManagerFactory database) {
        this.database = database;
    }

    static boolean isEmbeddedDerby(Object url) {
        return url != null && String.valueOf(url).startsWith("jdbc:derby:") && !String.valueOf(url).startsWith("jdbc:derby://");
    }

    public synchronized void start() {
        if (timer != null || !isEmbeddedDerby(database.getProperties().get("openjpa.ConnectionURL"))) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "mailpack-database-watch");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::probe, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    void probe() {
        try {
            EntityManager session = database.createEntityManager();
            try {
                session.createNativeQuery("VALUES 1").getSingleResult();
            } finally {
                session.close();
            }
            if (failures > 0) {
                LOGGER.warn("The embedded database answers again after {} failed check(s)", failures);
            }
            failures = 0;
        } catch (RuntimeException e) {
            failures++;
            LOGGER.warn("The embedded database does not answer ({} of {}): {}", failures, FAILURES, e.toString());
            if (failures >= FAILURES) {
                ServerExit.now("the embedded Derby database has shut down (" + e.getMessage() + ")");
            }
        }
    }

    @PreDestroy
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
