package com.diegonmarcos.mailpack.modules.jpa;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.lifecycle.api.Startable;
import org.apache.openjpa.persistence.OpenJPAPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An index of James' message table by mailbox and \Seen flag, created at start-up if missing.
 *
 * <p>IMAP STATUS (UNSEEN, and MESSAGES too: James counts both) and SELECT count a mailbox's unseen
 * messages. James' schema indexes the flag alone, across every mailbox, so the database went
 * through the mailbox's rows and fetched each one to read its flag: the more mail a folder holds,
 * the longer every STATUS a mail client sends to check for new mail. With this index the count
 * and the search for the first unseen message read the index only.
 *
 * <p>OpenJPA builds the tables but not this index; it is created once, in the same database, and
 * a failure to create it is logged and does not stop the server (only the counts are slower).
 */
public class UnseenMessagesIndex implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(UnseenMessagesIndex.class);

    static final String TABLE = "JAMES_MAIL";
    static final String NAME = "MAILPACK_MAIL_UNSEEN";
    private static final String CREATE = "CREATE INDEX " + NAME + " ON " + TABLE + " (MAILBOX_ID, MAIL_IS_SEEN)";

    private final EntityManagerFactory entityManagerFactory;

    @Inject
    public UnseenMessagesIndex(EntityManagerFactory entityManagerFactory) {
        this.entityManagerFactory = entityManagerFactory;
    }

    /** Creates the index unless it exists; true if it exists afterwards. */
    public boolean ensure() {
        EntityManager entityManager = entityManagerFactory.createEntityManager(); // OpenJPA builds missing tables here
        try {
            entityManager.getTransaction().begin();
            Connection connection = (Connection) OpenJPAPersistence.cast(entityManager).getConnection();
            boolean created = false;
            if (!exists(connection.getMetaData())) {
                try (Statement statement = connection.createStatement()) {
                    statement.executeUpdate(CREATE);
                }
                created = true;
            }
            entityManager.getTransaction().commit();
            if (created) {
                LOGGER.info("Created the index {} of {} (unseen messages per mailbox)", NAME, TABLE);
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            if (entityManager.getTransaction().isActive()) {
                entityManager.getTransaction().rollback();
            }
            LOGGER.warn("Cannot create the index {} ({}): counting a mailbox's unseen messages reads all its rows", CREATE, e.toString());
            return false;
        } finally {
            entityManager.close();
        }
    }

    /** Whether the table has an index named {@link #NAME} (names are stored upper-case by Derby, lower-case by PostgreSQL). */
    static boolean exists(DatabaseMetaData metaData) throws SQLException {
        String table = metaData.storesLowerCaseIdentifiers() ? TABLE.toLowerCase(Locale.ROOT) : TABLE;
        try (ResultSet indexes = metaData.getIndexInfo(null, null, table, false, true)) {
            while (indexes.next()) {
                if (NAME.equalsIgnoreCase(indexes.getString("INDEX_NAME"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
