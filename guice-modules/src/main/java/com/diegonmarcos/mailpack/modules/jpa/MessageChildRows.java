package com.diegonmarcos.mailpack.modules.jpa;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.Query;

import org.apache.openjpa.persistence.OpenJPAPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows that belong to a message besides its own: its MIME properties ({@code JAMES_MAIL_PROPERTY})
 * and its user flags ({@code JAMES_MAIL_USERFLAG}), deleted by mailpack's store before the message.
 *
 * <p>OpenJPA creates both foreign keys {@code ON DELETE CASCADE}, and Derby runs a cascade with an
 * exclusive lock on the whole dependent table, held to the end of the transaction: every EXPUNGE
 * locked every user's properties and flags, and deadlocked with any session appending or reading
 * one (10 IMAP clients: an EXPUNGE failed every few seconds). So, on Derby, {@link #withoutCascade}
 * turns both keys into plain ones at start (they still refuse an orphan row), and the store deletes
 * the child rows itself, by the key of their message ({@link #delete}): row locks only. PostgreSQL
 * cascades with row locks; its keys are left as they are, and the explicit deletes just leave the
 * cascade nothing to do.
 */
final class MessageChildRows {
    private static final Logger LOGGER = LoggerFactory.getLogger(MessageChildRows.class);
    private static final List<String> TABLES = List.of("JAMES_MAIL_PROPERTY", "JAMES_MAIL_USERFLAG");
    private static final String CASCADING_KEYS = "SELECT c.CONSTRAINTNAME, t.TABLENAME FROM SYS.SYSFOREIGNKEYS f"
        + " JOIN SYS.SYSCONSTRAINTS c ON f.CONSTRAINTID = c.CONSTRAINTID JOIN SYS.SYSTABLES t ON c.TABLEID = t.TABLEID"
        + " WHERE f.DELETERULE = 'C' AND t.TABLENAME IN ('JAMES_MAIL_PROPERTY', 'JAMES_MAIL_USERFLAG')";

    private MessageChildRows() {
    }

    /**
     * Deletes the child rows of the messages of {@code mailboxId} that {@code uidCondition} selects
     * (empty: all, else e.g. {@code " AND MAIL_UID BETWEEN ?2 AND ?3"}), in the caller's transaction.
     */
    static void delete(EntityManager entityManager, long mailboxId, String uidCondition, long... uids) {
        for (String table : TABLES) {
            deleteFrom(entityManager, table, mailboxId, uidCondition, uids);
        }
    }

    /** {@code DELETE FROM table WHERE MAILBOX_ID = ?1} and {@code uidCondition}, whose parameters are ?2 onwards. */
    static void deleteFrom(EntityManager entityManager, String table, long mailboxId, String uidCondition, long... uids) {
        Query delete = entityManager.createNativeQuery("DELETE FROM " + table + " WHERE MAILBOX_ID = ?1" + uidCondition)
            .setParameter(1, mailboxId);
        for (int i = 0; i < uids.length; i++) {
            delete.setParameter(i + 2, uids[i]);
        }
        delete.executeUpdate();
    }

    /** On Derby, replaces the cascading foreign keys of the child tables by plain ones (once: a no-op later). */
    static void withoutCascade(EntityManagerFactory entityManagerFactory) {
        EntityManager entityManager = entityManagerFactory.createEntityManager(); // creates the schema when new
        try {
            entityManager.getTransaction().begin();
            Connection connection = (Connection) OpenJPAPersistence.cast(entityManager).getConnection();
            try {
                if (connection.getMetaData().getDatabaseProductName().contains("Derby")) {
                    replaceCascadingKeys(connection);
                }
            } finally {
                connection.close(); // hands it back to OpenJPA
            }
            entityManager.getTransaction().commit();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot replace the cascading foreign keys of " + TABLES
                + " (the database in var/store/derby may be damaged or read-only)", e);
        } finally {
            if (entityManager.getTransaction().isActive()) {
                entityManager.getTransaction().rollback();
            }
            entityManager.close();
        }
    }

    private static void replaceCascadingKeys(Connection connection) throws SQLException {
        List<String[]> cascading = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet keys = statement.executeQuery(CASCADING_KEYS)) {
            while (keys.next()) {
                cascading.add(new String[] {keys.getString(1), keys.getString(2)});
            }
        }
        for (String[] key : cascading) {
            String table = key[1];
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("ALTER TABLE " + table + " DROP CONSTRAINT " + key[0]);
                statement.executeUpdate("ALTER TABLE " + table + " ADD CONSTRAINT MAILPACK_" + table.substring("JAMES_".length())
                    + "_OF_MAIL FOREIGN KEY (MAILBOX_ID, MAIL_UID) REFERENCES JAMES_MAIL (MAILBOX_ID, MAIL_UID)");
            }
            LOGGER.info("{}: foreign key {} no longer cascades (Derby locked the whole table for it); mailpack deletes the rows itself",
                table, key[0]);
        }
    }
}
