package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.MimeMessage;
import javax.mail.search.BodyTerm;

import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.modules.GatedSearchIndex;
import com.google.inject.AbstractModule;
import com.sun.mail.imap.AppendUID;
import com.sun.mail.imap.IMAPFolder;

/**
 * How mail is stored, seen over SMTP and IMAP: UIDs taken in the append's own transaction
 * (OneTransactionMessageMapper) and the search index updated by its own thread
 * (QueuedLuceneSearchIndex), whose progress this test holds back with {@link GatedSearchIndex}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MailboxStoreIntegrationTest {
    static final String USER = "store@diegonmarcos.com";
    static final String PASSWORD = "mailbox-test-passphrase-0001"; // not "store": the policy refuses the user name
    static final int SESSIONS = 8;
    static final int PER_SESSION = 10;

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .withoutInboundRateLimits() // several sessions from 127.0.0.1 at once
        .overrideBindings(new AbstractModule() {
            @Override
            protected void configure() {
                bind(GatedSearchIndex.class).asEagerSingleton();
                bind(LuceneMessageSearchIndex.class).to(GatedSearchIndex.class);
            }
        });

    @BeforeAll
    static void createUser() throws Exception {
        server.createUser(USER, PASSWORD);
    }

    static void deliver(String subject, String body) throws Exception {
        assertThat(ScanClients.sendInbound(server, USER, message("alice@example.org", USER, subject, body))).startsWith("250");
    }

    static int inboxCount() throws Exception {
        try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
            return store.getFolder("INBOX").getMessageCount(); // STATUS: nothing is read or flagged
        }
    }

    static void awaitInboxCount(int count) {
        await().atMost(Duration.ofSeconds(60)).until(MailboxStoreIntegrationTest::inboxCount, n -> n == count);
    }

    static long[] inboxUids(IMAPFolder inbox) throws Exception {
        Message[] messages = inbox.getMessages();
        long[] uids = new long[messages.length];
        for (int i = 0; i < messages.length; i++) {
            uids[i] = inbox.getUID(messages[i]);
        }
        return uids;
    }

    static MimeMessage appended(String marker) throws Exception {
        return new MimeMessage(Session.getInstance(new java.util.Properties()), new ByteArrayInputStream(
            message("diego@diegonmarcos.com", USER, "appended", marker).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @Order(1)
    void concurrentDeliveriesAndAppendsGetDistinctIncreasingUidsThatSurviveARestart() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(SESSIONS);
        try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            List<Future<?>> sessions = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                int session = s;
                sessions.add(senders.submit(() -> {
                    for (int i = 0; i < PER_SESSION; i++) {
                        deliver("concurrent " + session + "/" + i, "concurrent delivery");
                    }
                    return null;
                }));
            }
            // meanwhile one IMAP session appends, before and after deliveries by other sessions
            List<Long> appendedUids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                AppendUID[] result = inbox.appendUIDMessages(new Message[] {appended("append " + i)});
                appendedUids.add(result[0].uid);
            }
            for (Future<?> session : sessions) {
                session.get(2, TimeUnit.MINUTES);
            }
            int total = SESSIONS * PER_SESSION + appendedUids.size();
            awaitInboxCount(total);

            inbox.close(false);
            inbox.open(Folder.READ_ONLY);
            long[] uids = inboxUids(inbox);
            assertThat(uids).hasSize(total).doesNotHaveDuplicates().isSorted();
            assertThat(appendedUids).isSorted().allSatisfy(uid -> assertThat(uids).contains(uid));
            assertThat(inbox.getUIDNext()).isEqualTo(uids[uids.length - 1] + 1);
            inbox.close(false);
        } finally {
            senders.shutdownNow();
        }

        long uidNextBefore;
        try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
            uidNextBefore = ((IMAPFolder) store.getFolder("INBOX")).getUIDNext();
        }
        server.restart();
        try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            assertThat(inbox.getUIDNext()).isEqualTo(uidNextBefore);
            inbox.open(Folder.READ_WRITE);
            AppendUID[] next = inbox.appendUIDMessages(new Message[] {appended("after restart")});
            assertThat(next[0].uid).isEqualTo(uidNextBefore);
            inbox.close(false);
        }
    }

    @Test
    @Order(2)
    void aSearchWaitsForTheIndexToCatchUpWithTheMailbox() throws Exception {
        int before = inboxCount();
        String word = "kumquat" + UUID.randomUUID().toString().substring(0, 8);
        GatedSearchIndex.hold();
        try {
            deliver("held back " + word.toUpperCase(), "the word is " + word);
            awaitInboxCount(before + 1); // in the mailbox, not yet in the index

            CompletableFuture<Integer> search = CompletableFuture.supplyAsync(() -> {
                try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
                    Folder inbox = store.getFolder("INBOX");
                    inbox.open(Folder.READ_ONLY);
                    return inbox.search(new BodyTerm(word)).length;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // the SEARCH reaches the index and waits there, as the indexing thread is held
            await().atMost(Duration.ofSeconds(30)).until(GatedSearchIndex::searchWaited);
            assertThat(search).isNotDone();

            GatedSearchIndex.open();
            assertThat(search.get(30, TimeUnit.SECONDS)).isEqualTo(1);

            // indexed from the copy the append left (RecentAppends): headers as well as the body
            try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                assertThat(inbox.search(new javax.mail.search.SubjectTerm(word))).hasSize(1);
                assertThat(inbox.search(new javax.mail.search.AndTerm(new javax.mail.search.FromStringTerm("alice@example.org"),
                    new BodyTerm(word)))).hasSize(1);
                inbox.close(false);
            }
        } finally {
            GatedSearchIndex.open();
        }
    }

    @Test
    @Order(3)
    void messagesWaitingForTheIndexAreIndexedBeforeAStopCompletes() throws Exception {
        int before = inboxCount();
        List<String> words = new ArrayList<>();
        GatedSearchIndex.hold();
        try {
            for (int i = 0; i < 3; i++) {
                String word = "persimmon" + UUID.randomUUID().toString().substring(0, 8);
                words.add(word);
                deliver("queued at stop " + i, "the word is " + word);
            }
            awaitInboxCount(before + words.size());
            GatedSearchIndex.openWhenClosing(); // the indexing thread is still held when the stop begins
            server.stop();
            assertThat(GatedSearchIndex.indexClosing()).isTrue();
        } finally {
            GatedSearchIndex.open();
        }
        server.start();

        for (String word : words) {
            assertThat(Clients.imapsSearchBody(server, USER, PASSWORD, word)).as("SEARCH BODY %s after the restart", word)
                .singleElement().asString().contains(word);
        }
    }

    @Test
    @Order(4)
    void aSelectThatOnlyReadsStillClearsRecentForLaterSessions() throws Exception {
        int before = inboxCount();
        deliver("recent", "recent until a session selects it");
        awaitInboxCount(before + 1);

        try (Store first = Clients.imapsStore(server, USER, PASSWORD)) {
            Folder inbox = first.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE); // SELECT: this session is told the message is recent
            assertThat(inbox.search(new javax.mail.search.FlagTerm(new javax.mail.Flags(javax.mail.Flags.Flag.RECENT), true))).isNotEmpty();
            inbox.close(false); // and writes nothing
        }

        try (Store second = Clients.imapsStore(server, USER, PASSWORD)) {
            Folder inbox = second.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.search(new javax.mail.search.FlagTerm(new javax.mail.Flags(javax.mail.Flags.Flag.RECENT), true))).isEmpty();
            inbox.close(false);
        }
    }

    @Test
    @Order(5)
    void foldersCreatedRenamedDeletedAndRecreatedAreSeenAtOnceByOtherSessions() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String first = "Projects-" + suffix;
        String second = "Done-" + suffix;
        try (Store watcher = Clients.imapsStore(server, USER, PASSWORD);
             Store actor = Clients.imapsStore(server, USER, PASSWORD)) {
            IMAPFolder projects = (IMAPFolder) actor.getFolder(first);
            assertThat(projects.create(Folder.HOLDS_MESSAGES)).isTrue();
            projects.appendMessages(new Message[] {appended("in projects")});
            long firstValidity = ((IMAPFolder) watcher.getFolder(first)).getUIDValidity(); // looked up by the other session

            IMAPFolder archive = (IMAPFolder) actor.getFolder(second);
            assertThat(projects.renameTo(archive)).isTrue();
            assertThat(watcher.getFolder(first).exists()).isFalse();
            assertThat(watcher.getFolder(second).getMessageCount()).isEqualTo(1);
            assertThat(((IMAPFolder) watcher.getFolder(second)).getUIDValidity()).isEqualTo(firstValidity);

            assertThat(actor.getFolder(second).delete(true)).isTrue();
            assertThat(watcher.getFolder(second).exists()).isFalse();
            assertThat(actor.getFolder(second).create(Folder.HOLDS_MESSAGES)).isTrue();
            IMAPFolder recreated = (IMAPFolder) watcher.getFolder(second);
            assertThat(recreated.exists()).isTrue();
            assertThat(recreated.getMessageCount()).isZero();
            assertThat(recreated.getUIDValidity()).isNotEqualTo(firstValidity);

            // and delivery into INBOX still finds it after all this
            int before = inboxCount();
            deliver("after folder changes", "still delivered");
            awaitInboxCount(before + 1);
        }
    }

    /**
     * Sessions appending, copying into each other's folders, reading, flagging and expunging at once.
     * James' store deadlocked here (an EXPUNGE scanned every user's messages; an append locked its
     * message before its mailbox, a FETCH the other way round; Derby's cascade locked whole tables):
     * every session stood still for Derby's 20 s deadlock timeout, and the victims' commands failed.
     */
    @Test
    @Order(6)
    void sessionsWorkingOnEachOthersFoldersAtOnceNeverWaitSecondsNorFail() throws Exception {
        int sessions = 6;
        for (int i = 0; i < sessions; i++) {
            Clients.imapsCreateFolder(server, USER, PASSWORD, "Busy" + i);
        }
        ExecutorService threads = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<Duration>> slowest = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
            for (int i = 0; i < sessions; i++) {
                String own = "Busy" + i;
                String next = "Busy" + ((i + 1) % sessions);
                slowest.add(threads.submit(() -> workUntil(end, own, next)));
            }
            for (Future<Duration> session : slowest) {
                // a command of a session that waited for a lock cycle to be broken took 20 s
                assertThat(session.get(2, TimeUnit.MINUTES)).isLessThan(Duration.ofSeconds(5));
            }
        } finally {
            threads.shutdownNow();
        }
        try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
            for (int i = 0; i < sessions; i++) {
                IMAPFolder folder = (IMAPFolder) store.getFolder("Busy" + i);
                folder.open(Folder.READ_ONLY);
                long[] uids = inboxUids(folder);
                assertThat(uids).doesNotHaveDuplicates().isSorted();
                folder.close(false);
            }
        }
    }

    /**
     * Clients (a phone, a laptop, the webmail) SELECT the INBOX at once while mail keeps arriving: each
     * SELECT clears the new messages' {@code \Recent} flag and counts the mailbox. When the clearing came first in
     * the SELECT's transaction, two SELECTs each held the rows they cleared while counting over the other's:
     * a Derby deadlock, and the victim answered {@code NO SELECT processing failed}.
     */
    @Test
    @Order(7)
    void sessionsSelectingTheSameMailboxWhileMailArrivesNeverFail() throws Exception {
        String shared = "Shared";
        Clients.imapsCreateFolder(server, USER, PASSWORD, shared);
        int selecting = 4;
        ExecutorService threads = Executors.newFixedThreadPool(selecting + 1);
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            Future<Integer> appended = threads.submit(() -> {
                int count = 0;
                try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
                    Folder folder = store.getFolder(shared);
                    while (System.nanoTime() < end) {
                        folder.appendMessages(new Message[] {appended("shared " + count++)});
                    }
                }
                return count;
            });
            List<Future<Duration>> sessions = new ArrayList<>();
            for (int i = 0; i < selecting; i++) {
                sessions.add(threads.submit(() -> selectUntil(end, shared)));
            }
            for (Future<Duration> session : sessions) {
                assertThat(session.get(2, TimeUnit.MINUTES)).isLessThan(Duration.ofSeconds(5));
            }
            assertThat(appended.get(2, TimeUnit.MINUTES)).isPositive();
        } finally {
            threads.shutdownNow();
        }
    }

    /** SELECT again and again until {@code end}; the slowest SELECT. A SELECT not answered OK fails the test. */
    private static Duration selectUntil(long end, String folder) throws Exception {
        Duration slowest = Duration.ZERO;
        try (ImapDialog imap = ImapDialog.connectTls(server.imapsPort(), Clients.trusting(server.certificate()))) {
            assertThat(imap.command("l", "LOGIN " + USER + " " + PASSWORD)).last().asString().startsWith("l OK");
            int round = 0;
            while (System.nanoTime() < end) {
                long started = System.nanoTime();
                String tag = "s" + round++;
                assertThat(imap.command(tag, "SELECT " + folder)).last().asString().startsWith(tag + " OK");
                slowest = longest(slowest, started);
            }
        }
        return slowest;
    }

    /** One session's loop; the longest any of its commands took. Any failed command fails the test. */
    private static Duration workUntil(long end, String own, String next) throws Exception {
        Duration slowest = Duration.ZERO;
        try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
            IMAPFolder folder = (IMAPFolder) store.getFolder(own);
            folder.open(Folder.READ_WRITE);
            Folder neighbour = store.getFolder(next);
            int round = 0;
            while (System.nanoTime() < end) {
                round++;
                long started = System.nanoTime();
                folder.appendMessages(new Message[] {appended(own + " round " + round)});
                slowest = longest(slowest, started);

                started = System.nanoTime();
                Message[] messages = folder.getMessages(); // new ones, from this session and the neighbour's copies
                for (Message message : messages) {
                    message.getSubject();
                    message.getContent();
                }
                slowest = longest(slowest, started);

                started = System.nanoTime();
                Message newest = messages[messages.length - 1];
                folder.copyMessages(new Message[] {newest}, neighbour);
                slowest = longest(slowest, started);

                started = System.nanoTime();
                newest.setFlag(javax.mail.Flags.Flag.SEEN, true);
                slowest = longest(slowest, started);

                if (messages.length > 3) {
                    started = System.nanoTime();
                    messages[0].setFlag(javax.mail.Flags.Flag.DELETED, true);
                    folder.expunge();
                    slowest = longest(slowest, started);
                }
            }
            folder.close(false);
        }
        return slowest;
    }

    private static Duration longest(Duration slowest, long startedNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        return took.compareTo(slowest) > 0 ? took : slowest;
    }
}
