package com.diegonmarcos.mailpack.modules.jpa;

import static com.diegonmarcos.mailpack.modules.jpa.TestMessages.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.mail.Flags;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.jpa.mail.JPAMailboxMapper;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.openjpa.persistence.OpenJPAPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The unseen-messages index on an in-memory Derby database, and the plan of James' unseen count. */
class UnseenMessagesIndexTest {
    private EntityManagerFactory entityManagerFactory;

    @BeforeEach
    void setUp() {
        entityManagerFactory = InMemoryDerby.entityManagerFactory("unseen-index");
    }

    @AfterEach
    void tearDown() {
        entityManagerFactory.close();
    }

    @Test
    void isCreatedOnANewDatabaseAndFoundOnTheNextStart() throws Exception {
        UnseenMessagesIndex index = new UnseenMessagesIndex(entityManagerFactory);

        assertThat(index.ensure()).isTrue();
        assertThat(index.ensure()).isTrue(); // a restart: found, not created twice

        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            Connection connection = (Connection) OpenJPAPersistence.cast(entityManager).getConnection();
            assertThat(UnseenMessagesIndex.exists(connection.getMetaData())).isTrue();
        } finally {
            entityManager.close();
        }
    }

    @Test
    void countingTheUnseenMessagesOfAMailboxReadsTheIndexOnly() throws Exception {
        new UnseenMessagesIndex(entityManagerFactory).ensure();
        JPAMailboxMapper mailboxes = new JPAMailboxMapper(entityManagerFactory);
        OneTransactionMessageMapper messages = new OneTransactionMessageMapper(entityManagerFactory, new RecentAppends());
        Mailbox diego = mailboxes.execute(() -> mailboxes.create(MailboxPath.inbox(Username.of("diego@diegonmarcos.com")), UidValidity.of(1)).block());
        Mailbox other = mailboxes.execute(() -> mailboxes.create(MailboxPath.inbox(Username.of("other@diegonmarcos.com")), UidValidity.of(2)).block());
        for (int i = 0; i < 150; i++) {
            Mailbox mailbox = i % 3 == 0 ? other : diego;
            Flags flags = i % 5 == 0 ? new Flags(Flags.Flag.SEEN) : new Flags();
            messages.execute(() -> messages.add(mailbox, message(mailbox, "body\r\n", flags)));
        }
        messages.endRequest();
        mailboxes.endRequest();

        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            entityManager.getTransaction().begin(); // the query runs on the connection read here
            Connection connection = (Connection) OpenJPAPersistence.cast(entityManager).getConnection();
            try (CallableStatement statistics = connection.prepareCall("CALL SYSCS_UTIL.SYSCS_SET_RUNTIMESTATISTICS(1)")) {
                statistics.execute();
            }
            long unseen = (Long) entityManager.createNamedQuery("countUnseenMessagesInMailbox")
                .setParameter("idParam", ((JPAId) diego.getMailboxId()).getRawId())
                .getSingleResult();
            String plan;
            try (Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery("VALUES SYSCS_UTIL.SYSCS_GET_RUNTIMESTATISTICS()")) {
                result.next();
                plan = result.getString(1);
            }
            entityManager.getTransaction().rollback();

            // 100 messages in diego's INBOX, every fifth of all 150 seen
            long expected = java.util.stream.IntStream.range(0, 150).filter(i -> i % 3 != 0 && i % 5 != 0).count();
            assertThat(unseen).isEqualTo(expected);
            assertThat(plan).contains("MAILPACK_MAIL_UNSEEN")
                .doesNotContain("Index Row to Base Row"); // no fetch of the message rows
        } finally {
            entityManager.close();
        }
    }
}
