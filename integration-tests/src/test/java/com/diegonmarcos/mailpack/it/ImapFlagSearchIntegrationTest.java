package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;

import javax.mail.Flags;
import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Store;
import javax.mail.UIDFolder;
import javax.mail.search.AndTerm;
import javax.mail.search.BodyTerm;
import javax.mail.search.FlagTerm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flag changes on many messages at once (a SELECT clearing \Recent, a client flagging or marking a
 * range read) reach the search index in batches (BatchedFlagsLuceneSearchIndex): IMAP SEARCH on
 * flags, keywords and body must still answer exactly as James' own per-message indexing does.
 * (How much faster the SELECT is: bench/select.sh.)
 */
class ImapFlagSearchIntegrationTest {
    static final String USER = "flags@diegonmarcos.com";
    static final String PASSWORD = "Search-Passphrase-0001-Qz";
    static final int MESSAGES = 40;

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.inProcess().withoutInboundRateLimits(); // 40 messages at once from 127.0.0.1

    @BeforeAll
    static void deliver() throws Exception {
        server.createUser(USER, PASSWORD);
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            for (int i = 1; i <= MESSAGES; i++) {
                assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<" + USER + ">")).startsWith("250");
                assertThat(smtp.data(Clients.message("alice@example.org", USER, "batch " + i, "payload number" + i + " zebra"))).startsWith("250");
            }
        }
        // count only: reading the messages would set \Seen on all of them
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
                assertThat(store.getFolder("INBOX").getMessageCount()).isEqualTo(MESSAGES);
            }
        });
    }

    private static long[] uids(UIDFolder folder, Message[] messages) throws Exception {
        long[] uids = new long[messages.length];
        for (int i = 0; i < messages.length; i++) {
            uids[i] = folder.getUID(messages[i]);
        }
        Arrays.sort(uids);
        return uids;
    }

    private static long[] uidsOf(UIDFolder folder, Folder plain, int from, int to) throws Exception {
        return uids(folder, plain.getMessages(from, to));
    }

    @Test
    void searchesOnFlagsAndKeywordsAfterBatchedChangesMatchExactlyTheChangedMessages() throws Exception {
        try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE); // SELECT: clears \Recent on all 40 messages, one flag batch
            UIDFolder uidFolder = (UIDFolder) inbox;
            try {
                long[] all = uidsOf(uidFolder, inbox, 1, MESSAGES);

                inbox.setFlags(1, 15, new Flags(Flags.Flag.FLAGGED), true);
                inbox.setFlags(10, 25, new Flags(Flags.Flag.SEEN), true);
                inbox.setFlags(30, 40, new Flags("$project-x"), true);
                inbox.setFlags(12, 13, new Flags(Flags.Flag.FLAGGED), false);

                long[] flagged = concat(uidsOf(uidFolder, inbox, 1, 11), uidsOf(uidFolder, inbox, 14, 15));
                assertThat(uids(uidFolder, inbox.search(new FlagTerm(new Flags(Flags.Flag.FLAGGED), true)))).containsExactly(flagged);
                assertThat(uids(uidFolder, inbox.search(new FlagTerm(new Flags(Flags.Flag.SEEN), true))))
                    .containsExactly(uidsOf(uidFolder, inbox, 10, 25));
                assertThat(uids(uidFolder, inbox.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false))))
                    .containsExactly(concat(uidsOf(uidFolder, inbox, 1, 9), uidsOf(uidFolder, inbox, 26, 40)));
                assertThat(uids(uidFolder, inbox.search(new FlagTerm(new Flags("$project-x"), true))))
                    .containsExactly(uidsOf(uidFolder, inbox, 30, 40));
                assertThat(uids(uidFolder, inbox.search(new AndTerm(new FlagTerm(new Flags(Flags.Flag.FLAGGED), true), new BodyTerm("zebra")))))
                    .containsExactly(flagged);
                assertThat(all).hasSize(MESSAGES);
            } finally {
                inbox.close(false);
            }
        }
    }

    @Test
    void messagesSeenInAnEarlierSessionAreNoLongerRecent() throws Exception {
        try (Store store = Clients.imapsStore(server, USER, PASSWORD)) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            inbox.close(false);
            inbox.open(Folder.READ_ONLY); // a second SELECT/EXAMINE: nothing is recent any more
            try {
                assertThat(inbox.getMessageCount()).isEqualTo(MESSAGES);
                assertThat(inbox.search(new FlagTerm(new Flags(Flags.Flag.RECENT), true))).isEmpty();
            } finally {
                inbox.close(false);
            }
        }
    }

    private static long[] concat(long[] a, long[] b) {
        long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        return all;
    }
}
