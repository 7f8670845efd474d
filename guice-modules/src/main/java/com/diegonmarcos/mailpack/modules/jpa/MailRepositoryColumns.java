package com.diegonmarcos.mailpack.modules.jpa;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.openjpa.persistence.OpenJPAPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Widens two columns of James' mail repository table {@code JAMES_MAIL_STORE}, where the mails of
 * {@code jpa://var/mail/error}, {@code address-error}, {@code quarantine}, ... are kept.
 *
 * <p>James maps {@code REMOTE_ADDR} as {@code VARCHAR(20)} and {@code ERROR_MESSAGE} as
 * {@code VARCHAR(200)}. A mail from an IPv6 client (an address in full is 39 characters) or with a
 * longer error text (a Java exception's message often is) could not be stored in any of those
 * repositories: the insert failed, the spooler tried again, and the mail ended as poison. Both
 * columns are widened once, at start, on Derby and on PostgreSQL; {@link BoundedJpaMailRepository}
 * cuts what would still not fit.
 */
public final class MailRepositoryColumns {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailRepositoryColumns.class);
    static final String TABLE = "JAMES_MAIL_STORE";
    /** the longest text form of an IPv6 address (with an IPv4 tail) */
    public static final int REMOTE_ADDR = 45;
    public static final int ERROR_MESSAGE = 1000;
    private static final Map<String, Integer> WIDTHS = Map.of("REMOTE_ADDR", REMOTE_ADDR, "ERROR_MESSAGE", ERROR_MESSAGE);

    private MailRepositoryColumns() {
    }

    /**
     * Widens the columns narrower than mailpack needs; does nothing to a table already widened. A
     * database that refuses is logged (WARN) and the start goes on.
     */
    public static void widen(EntityManagerFactory entityManagerFactory) {
        EntityManager entityManager = entityManagerFactory.createEntityManager(); // creates the schema when new
        try {
            entityManager.getTransaction().begin();
            Connection connection = (Connection) OpenJPAPersistence.cast(entityManager).getConnection();
            try {
                DatabaseMetaData metaData = connection.getMetaData();
                boolean derby = metaData.getDatabaseProductName().contains("Derby");
                for (Map.Entry<String, Integer> column : WIDTHS.entrySet()) {
                    OptionalInt width = width(metaData, column.getKey());
                    if (width.isPresent() && width.getAsInt() < column.getValue()) {
                        try (Statement statement = connection.createStatement()) {
                            statement.executeUpdate("ALTER TABLE " + TABLE + " ALTER COLUMN " + column.getKey()
                                + (derby ? " SET DATA TYPE" : " TYPE") + " VARCHAR(" + column.getValue() + ")");
                        }
                        LOGGER.info("{}.{} widened from {} to {} characters", TABLE, column.getKey(), width.getAsInt(), column.getValue());
                    }
                }
            } finally {
                connection.close(); // hands it back to OpenJPA
            }
            entityManager.getTransaction().commit();
        } catch (SQLException | javax.persistence.PersistenceException e) {
            // not a reason to stay down: only a mail with a longer address or error text is affected
            LOGGER.warn("Cannot widen the columns REMOTE_ADDR and ERROR_MESSAGE of {} (may the database user alter tables?): "
                + "a mail from an IPv6 client cannot be kept in a jpa:// repository until they are: {}", TABLE, e.toString());
        } finally {
            if (entityManager.getTransaction().isActive()) {
                entityManager.getTransaction().rollback();
            }
            entityManager.close();
        }
    }

    /** The declared width of a column of the table (unquoted names: upper case on Derby, lower case on PostgreSQL). */
    static OptionalInt width(DatabaseMetaData metaData, String column) throws SQLException {
        for (String table : new String[] {TABLE, TABLE.toLowerCase(Locale.ROOT)}) {
            String name = table.equals(TABLE) ? column : column.toLowerCase(Locale.ROOT);
            try (ResultSet columns = metaData.getColumns(null, null, table, name)) {
                if (columns.next()) {
                    return OptionalInt.of(columns.getInt("COLUMN_SIZE"));
                }
            }
        }
        return OptionalInt.empty();
    }
}
