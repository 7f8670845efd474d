package com.diegonmarcos.mailpack.modules.jpa;

import static com.diegonmarcos.mailpack.modules.jpa.TestMessages.HEADER;
import static com.diegonmarcos.mailpack.modules.jpa.TestMessages.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.mail.Flags;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.jpa.mail.JPAMailboxMapper;
import org.apache.james.mailbox.jpa.mail.model.openjpa.AbstractJPAMailboxMessage;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Appends through the mapper on an in-memory Derby database, as a delivery does. */
class OneTransactionMessageMapperTest {
    private EntityManagerFactory entityManagerFactory;
    private final RecentAppends recentAppends = new RecentAppends();
    private JPAMailboxMapper mailboxes;
    private OneTransactionMessageMapper messages;

    @BeforeEach
    void setUp() {
        entityManagerFactory = InMemoryDerby.entityManagerFactory("one-transaction");
        MessageChildRows.withoutCascade(entityManagerFactory); // as OneTransactionMapperFactory does
        mailboxes = new JPAMailboxMapper(entityManagerFactory);
        messages = new OneTransactionMessageMapper(entityManagerFactory, recentAppends);
    }

    @AfterEach
    void tearDown() {
        messages.endRequest();
        mailboxes.endRequest();
        entityManagerFactory.close();
    }

    private Mailbox mailbox(String user) throws Exception {
        return mailboxes.execute(() -> mailboxes.create(MailboxPath.inbox(Username.of(user)), UidValidity.of(42)).block());
    }

    private static String content(MailboxMessage message) throws IOException {
        try (InputStream in = message.getFullContent()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void anAppendLeavesTheSearchIndexACopyThatNamesItsMailboxAndMatchesWhatTheDatabaseHolds() throws Exception {
        mailbox("someone@diegonmarcos.com"); // so that diego's mailbox id is not the first one
        Mailbox inbox = mailbox("diego@diegonmarcos.com");

        MessageMetaData first = messages.execute(() -> messages.add(inbox, message(inbox, "first\r\n", new Flags(Flags.Flag.RECENT))));
        MessageMetaData second = messages.execute(() -> messages.add(inbox, message(inbox, "second\r\n", new Flags(Flags.Flag.SEEN))));

        assertThat(second.getUid()).isEqualTo(first.getUid().next());
        MailboxMessage copy = recentAppends.take(inbox.getMailboxId(), second.getUid()).orElseThrow();
        MailboxMessage stored = messages.findInMailbox(inbox, MessageRange.one(second.getUid()), FetchType.FULL, 1).next();
        assertThat(copy.getMailboxId()).isEqualTo(inbox.getMailboxId()).isEqualTo(stored.getMailboxId());
        // nothing in the copy belongs to the appending entity manager: the indexing thread reading a
        // managed mailbox row waited for that manager's lock, which deadlocked deliveries
        assertThat(messages.getEntityManager().contains(((AbstractJPAMailboxMessage) copy).getMailbox())).isFalse();
        assertThat(copy.getUid()).isEqualTo(stored.getUid());
        assertThat(copy.getModSeq()).isEqualTo(stored.getModSeq());
        // not \Recent: what James stores for an IMAP APPEND into the mailbox the session has selected
        assertThat(copy.createFlags()).isEqualTo(stored.createFlags()).isEqualTo(new Flags(Flags.Flag.SEEN));
        assertThat(copy.getInternalDate()).isEqualTo(stored.getInternalDate());
        assertThat(copy.getFullContentOctets()).isEqualTo(stored.getFullContentOctets());
        assertThat(copy.getBodyOctets()).isEqualTo(stored.getBodyOctets());
        assertThat(content(copy)).isEqualTo(content(stored)).isEqualTo(HEADER + "second\r\n");
        assertThat(recentAppends.take(inbox.getMailboxId(), first.getUid())).isPresent();
        assertThat(recentAppends.take(inbox.getMailboxId(), MessageUid.of(99))).isEmpty();
    }

    @Test
    void uidsStayDistinctWhenAnotherEntityManagerAppendsBetweenTwoAppendsOfOneRequest() throws Exception {
        Mailbox inbox = mailbox("diego@diegonmarcos.com");
        OneTransactionMessageMapper other = new OneTransactionMessageMapper(entityManagerFactory, recentAppends);
        try {
            MessageMetaData first = messages.execute(() -> messages.add(inbox, message(inbox, "first\r\n", new Flags())));
            MessageMetaData second = other.execute(() -> other.add(inbox, message(inbox, "second\r\n", new Flags())));
            // the first mapper's entity manager still holds the mailbox row it read for the first append
            MessageMetaData third = messages.execute(() -> messages.add(inbox, message(inbox, "third\r\n", new Flags())));

            assertThat(List.of(first.getUid(), second.getUid(), third.getUid()))
                .containsExactly(MessageUid.of(1), MessageUid.of(2), MessageUid.of(3));
            assertThat(third.getModSeq()).isGreaterThan(second.getModSeq());
        } finally {
            other.endRequest();
        }
    }

    @Test
    void aReadOfTheMailboxWaitsForAnOpenAppendInsteadOfDeadlockingIt() throws Exception {
        Mailbox inbox = mailbox("diego@diegonmarcos.com");
        messages.execute(() -> messages.add(inbox, message(inbox, "zero\r\n", new Flags())));
        OneTransactionMessageMapper reader = new OneTransactionMessageMapper(entityManagerFactory, recentAppends);
        CountDownLatch firstAppended = new CountDownLatch(1);
        CountDownLatch readerWaits = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            // one transaction appending twice (a COPY or MOVE of two messages), a read arriving in between
            Future<List<MessageUid>> appended = threads.submit(() -> messages.execute(() -> {
                MessageUid one = messages.add(inbox, message(inbox, "one\r\n", new Flags())).getUid();
                firstAppended.countDown();
                awaitUninterruptibly(readerWaits);
                // James' counters updated the mailbox row here, after the first message's row: the read
                // held the mailbox row and waited for the message row, a cycle Derby broke after 20 s
                MessageUid two = messages.add(inbox, message(inbox, "two\r\n", new Flags())).getUid();
                return List.of(one, two);
            }));
            firstAppended.await(10, TimeUnit.SECONDS);
            Future<List<MessageUid>> read = threads.submit(() -> reader.execute(() ->
                uids(reader.findInMailbox(inbox, MessageRange.all(), FetchType.METADATA, -1))));
            await().atMost(10, TimeUnit.SECONDS).until(() -> lockWaits() > 0); // the append holds the mailbox row
            readerWaits.countDown();

            assertThat(appended.get(10, TimeUnit.SECONDS)).containsExactly(MessageUid.of(2), MessageUid.of(3));
            // the mailbox as it was before the append's transaction or after it, never half of it
            assertThat(read.get(10, TimeUnit.SECONDS)).isIn(List.of(MessageUid.of(1)),
                List.of(MessageUid.of(1), MessageUid.of(2), MessageUid.of(3)));
        } finally {
            threads.shutdownNow();
            reader.endRequest();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<MessageUid> uids(Iterator<MailboxMessage> messages) {
        List<MessageUid> uids = new ArrayList<>();
        messages.forEachRemaining(message -> uids.add(message.getUid()));
        return uids;
    }

    /** Transactions now waiting for a lock, as Derby's lock table shows them. */
    private long lockWaits() {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            return ((Number) entityManager.createNativeQuery("SELECT COUNT(*) FROM SYSCS_DIAG.LOCK_TABLE WHERE STATE = 'WAIT'")
                .getSingleResult()).longValue();
        } finally {
            entityManager.close();
        }
    }

    @Test
    void anExpungeLocksTheRowsOfItsMessagesOnlyAndTakesTheirFlagsAndPropertiesWithThem() throws Exception {
        Mailbox inbox = mailbox("diego@diegonmarcos.com");
        Mailbox other = mailbox("someone@diegonmarcos.com");
        Flags keyword = new Flags("$Important");
        MessageUid doomed = messages.execute(() -> messages.add(inbox, message(inbox, "doomed\r\n", keyword))).getUid();
        messages.execute(() -> messages.add(inbox, message(inbox, "kept\r\n", keyword)));
        messages.execute(() -> messages.add(other, message(other, "elsewhere\r\n", keyword)));
        long flagRows = count("SELECT COUNT(*) FROM JAMES_MAIL_USERFLAG");

        List<String> locksHeld = messages.execute(() -> {
            messages.deleteMessages(inbox, List.of(doomed));
            return tableLocks(messages.getEntityManager());
        });

        // Derby's cascade locked both child tables whole ("TABLE X"), for every other user's mailbox too
        assertThat(locksHeld).doesNotContain("X JAMES_MAIL_PROPERTY", "X JAMES_MAIL_USERFLAG", "X JAMES_MAIL");
        assertThat(count("SELECT COUNT(*) FROM JAMES_MAIL_USERFLAG")).isEqualTo(flagRows - 1);
        assertThat(count("SELECT COUNT(*) FROM JAMES_MAIL_USERFLAG WHERE MAIL_UID = " + doomed.asLong()
            + " AND MAILBOX_ID = " + ((org.apache.james.mailbox.jpa.JPAId) inbox.getMailboxId()).getRawId())).isZero();
        assertThat(uids(messages.findInMailbox(inbox, MessageRange.all(), FetchType.METADATA, -1))).containsExactly(doomed.next());
    }

    /** The table locks this entity manager's transaction holds, as "MODE TABLENAME". */
    @SuppressWarnings("unchecked")
    private static List<String> tableLocks(EntityManager entityManager) {
        List<Object[]> rows = entityManager.createNativeQuery("SELECT MODE, TABLENAME FROM SYSCS_DIAG.LOCK_TABLE WHERE TYPE = 'TABLE'")
            .getResultList();
        List<String> locks = new ArrayList<>();
        rows.forEach(row -> locks.add(row[0] + " " + row[1]));
        return locks;
    }

    private long count(String sql) {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            return ((Number) entityManager.createNativeQuery(sql).getSingleResult()).longValue();
        } finally {
            entityManager.close();
        }
    }
}
