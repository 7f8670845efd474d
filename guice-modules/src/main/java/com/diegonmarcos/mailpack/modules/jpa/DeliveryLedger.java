package com.diegonmarcos.mailpack.modules.jpa;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.openjpa.persistence.OpenJPAPersistence;

import com.diegonmarcos.mailpack.mailets.StampQueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which queued mails were already stored for which user: table {@code MAILPACK_DELIVERY} (queue id,
 * user, time), written in the transaction that appends the message, so that a mail the queue hands
 * out again after a crash (the mailbox commit came before the queue's acknowledgement) is
 * recognised and not stored twice ({@link AlreadyDelivered}).
 *
 * <p>The queue id travels in the message as header {@value #HEADER} (set by the
 * {@code StampQueueId} mailet with the name the queue knows the mail by), since James' delivery
 * reaches the store on another thread with nothing of the mail but its content. Rows older than
 * {@link #RETENTION} are deleted at start: a redelivery comes at the next start of the server.
 */
public final class DeliveryLedger {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryLedger.class);
    public static final String HEADER = StampQueueId.HEADER;
    static final Duration RETENTION = Duration.ofDays(14);
    private static final String TABLE = "MAILPACK_DELIVERY";
    private static final int MAX_ID = 200;
    private static final int MAX_HEADER_BYTES = 256 * 1024;

    private DeliveryLedger() {
    }

    /** Creates the table and its index when absent, and drops the rows older than {@link #RETENTION}. */
    static void prepare(EntityManagerFactory entityManagerFactory) {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            entityManager.getTransaction().begin();
            Connection connection = (Connection) OpenJPAPersistence.cast(entityManager).getConnection();
            try {
                if (!exists(connection.getMetaData())) {
                    try (Statement statement = connection.createStatement()) {
                        statement.executeUpdate("CREATE TABLE " + TABLE + " (QUEUE_ID VARCHAR(" + MAX_ID + ") NOT NULL,"
                            + " USER_NAME VARCHAR(255) NOT NULL, DELIVERED_AT TIMESTAMP NOT NULL)");
                        statement.executeUpdate("CREATE INDEX " + TABLE + "_ID ON " + TABLE + " (QUEUE_ID, USER_NAME)");
                        statement.executeUpdate("CREATE INDEX " + TABLE + "_AT ON " + TABLE + " (DELIVERED_AT)");
                    }
                    LOGGER.info("Created table {}: the queued mails already stored, so that a redelivery after a crash is skipped", TABLE);
                }
            } finally {
                connection.close(); // hands it back to OpenJPA
            }
            int pruned = entityManager.createNativeQuery("DELETE FROM " + TABLE + " WHERE DELIVERED_AT < ?1")
                .setParameter(1, Timestamp.from(Instant.now().minus(RETENTION)))
                .executeUpdate();
            entityManager.getTransaction().commit();
            LOGGER.debug("{}: {} rows older than {} deleted", TABLE, pruned, RETENTION);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create table " + TABLE, e);
        } finally {
            if (entityManager.getTransaction().isActive()) {
                entityManager.getTransaction().rollback();
            }
            entityManager.close();
        }
    }

    private static boolean exists(DatabaseMetaData metaData) throws SQLException {
        for (String name : new String[] {TABLE, TABLE.toLowerCase(Locale.ROOT)}) {
            try (ResultSet tables = metaData.getTables(null, null, name, new String[] {"TABLE"})) {
                if (tables.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Records, in the caller's transaction, that the mail {@code queueId} was stored for {@code user}. */
    static void record(EntityManager entityManager, String queueId, Username user) {
        entityManager.createNativeQuery("INSERT INTO " + TABLE + " (QUEUE_ID, USER_NAME, DELIVERED_AT) VALUES (?1, ?2, ?3)")
            .setParameter(1, queueId)
            .setParameter(2, user.asString())
            .setParameter(3, Timestamp.from(Instant.now()))
            .executeUpdate();
    }

    /** Whether the mail {@code queueId} was already stored for {@code user}. */
    static boolean isRecorded(EntityManagerFactory entityManagerFactory, String queueId, Username user) {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            return !entityManager.createNativeQuery("SELECT 1 FROM " + TABLE + " WHERE QUEUE_ID = ?1 AND USER_NAME = ?2")
                .setParameter(1, queueId)
                .setParameter(2, user.asString())
                .setMaxResults(1)
                .getResultList()
                .isEmpty();
        } finally {
            entityManager.close();
        }
    }

    /** A valid queue id, as the database keeps it: at most {@value #MAX_ID} characters. */
    static Optional<String> validId(String value) {
        String id = value == null ? "" : value.trim();
        return id.isEmpty() || id.length() > MAX_ID ? Optional.empty() : Optional.of(id);
    }

    /** The value of the first {@value #HEADER} field of a message's header, if any. */
    static Optional<String> queueIdIn(InputStream header) throws IOException {
        try (InputStream in = header) {
            String text = new String(in.readNBytes(MAX_HEADER_BYTES), StandardCharsets.ISO_8859_1);
            String prefix = HEADER.toLowerCase(Locale.ROOT) + ":";
            int start = 0;
            while (start < text.length()) {
                int end = text.indexOf('\n', start);
                String line = text.substring(start, end < 0 ? text.length() : end);
                if (line.isBlank()) {
                    return Optional.empty(); // end of the header
                }
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    return validId(line.substring(prefix.length()));
                }
                if (end < 0) {
                    break;
                }
                start = end + 1;
            }
            return Optional.empty();
        }
    }
}
