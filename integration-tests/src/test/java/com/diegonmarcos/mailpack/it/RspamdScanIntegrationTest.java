package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsFolder;
import static com.diegonmarcos.mailpack.it.ScanClients.GTUBE;
import static com.diegonmarcos.mailpack.it.ScanClients.sendInbound;
import static com.diegonmarcos.mailpack.it.ScanClients.wordyMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.TestDns;
import com.diegonmarcos.mailpack.it.peers.TestRedis;
import com.diegonmarcos.mailpack.it.peers.TestRspamd;

/**
 * rspamd verdicts through the real SMTP listeners and IMAP: a real rspamd (Bayes in a real Redis,
 * DNS from NSD) with one tuned rule: subject {@code mailpack-junk-test} scores 8 ({@code add header}
 * from 6, {@code reject} from 15).
 */
class RspamdScanIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "rspamd-test-passphrase-0001";

    @RegisterExtension
    @Order(1)
    static TestRedis redis = new TestRedis();

    @RegisterExtension
    @Order(2)
    static TestDns dns = TestDns.forZones("example.org");

    @RegisterExtension
    @Order(3)
    static TestRspamd rspamd = TestRspamd.create().redis(redis).dns(dns.address())
        .local("regexp.conf", "MAILPACK_TEST_JUNK {\n  re = \"Subject=/mailpack-junk-test/H\";\n  score = 8.0;\n"
            + "  description = \"test rule: this subject goes to Junk\";\n}\n");

    @RegisterExtension
    @Order(4)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_RSPAMD_URL", rspamd.url())
        .variable("MAILPACK_RSPAMD_CONTROLLER_URL", rspamd.controllerUrl())
        .variable("MAILPACK_RSPAMD_PASSWORD", TestRspamd.PASSWORD);

    @BeforeAll
    static void users() throws Exception {
        server.createUser(DIEGO, PASSWORD);
    }

    static List<String> folder(String name) throws Exception {
        return ScanClients.folder(server, DIEGO, PASSWORD, name);
    }

    static String awaitIn(String folderName, String marker) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            // a FETCH racing a delivery may get "BAD Invalid messageset": read again
            .ignoreExceptionsMatching(e -> e instanceof java.io.IOException || e instanceof javax.mail.MessagingException).until(() ->
            folder(folderName).stream().filter(raw -> raw.contains(marker)).findFirst(), java.util.Optional::isPresent).get();
    }

    @Test
    void gtubeIsRefusedWith550DuringTheDialogueAndNeverDelivered() throws Exception {
        String marker = "gtube-" + UUID.randomUUID();
        String reply = sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "hello", marker) + GTUBE + "\r\n");
        assertThat(reply).startsWith("550 5.7.1");

        String after = "after-gtube-" + UUID.randomUUID();
        assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "hello", after))).startsWith("250");
        awaitIn("INBOX", after);
        assertThat(folder("INBOX")).noneSatisfy(raw -> assertThat(raw).contains(marker));
    }

    @Test
    void cleanMessageGoesToTheInboxWithScoreHeaders() throws Exception {
        String marker = "clean-" + UUID.randomUUID();
        assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "garden news", marker))).startsWith("250");
        String delivered = awaitIn("INBOX", marker);
        assertThat(delivered).containsPattern("(?m)^X-Spam-Score: -?\\d+\\.\\d\\d\r?$")
            .containsPattern("(?m)^X-Spam-Status: No, score=-?\\d+\\.\\d\\d/15\\.00, action=no action\r?$")
            .doesNotContain("X-Spam-Flag");
    }

    @Test
    void addHeaderVerdictGoesToJunkWithSpamHeaders() throws Exception {
        String marker = "junk-" + UUID.randomUUID();
        assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "mailpack-junk-test offer", marker))).startsWith("250");
        String filed = awaitIn("Spam", marker);
        assertThat(filed).contains("X-Spam-Flag: YES").contains("action=add header").contains("MAILPACK_TEST_JUNK");
        assertThat(folder("INBOX")).noneSatisfy(raw -> assertThat(raw).contains(marker));
        // one junk folder: the one clients find by its SPECIAL-USE attribute (FileIntoJunk used to create "Junk"
        // beside James' "Spam", and a client's "move to junk" went where learning never looked)
        List<String> folders = listOverImaps("a LIST \"\" *");
        assertThat(folders).anySatisfy(line -> assertThat(line).endsWith("\"INBOX\""))
            .noneSatisfy(line -> assertThat(line).endsWith("\"Junk\""));
        assertThat(listOverImaps("a LIST (SPECIAL-USE) \"\" *")).filteredOn(line -> line.contains("\\Junk"))
            .singleElement().asString().endsWith("\"Spam\"");
    }

    /** The untagged LIST lines diego's session gets for {@code list}, over a raw IMAPS socket. */
    static List<String> listOverImaps(String list) throws Exception {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) Clients.trusting(server.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", server.imapsPort());
             java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                 java.nio.charset.StandardCharsets.UTF_8));
             java.io.Writer out = new java.io.OutputStreamWriter(socket.getOutputStream(), java.nio.charset.StandardCharsets.UTF_8)) {
            socket.setSoTimeout(30_000);
            in.readLine(); // greeting
            out.write("l LOGIN " + DIEGO + " " + PASSWORD + "\r\n");
            out.flush();
            for (String line = in.readLine(); !line.startsWith("l "); line = in.readLine()) {
                // capabilities
            }
            out.write(list + "\r\n");
            out.flush();
            List<String> lines = new java.util.ArrayList<>();
            for (String line = in.readLine(); line != null && !line.startsWith("a "); line = in.readLine()) {
                if (line.startsWith("* LIST")) {
                    lines.add(line);
                }
            }
            return lines;
        }
    }

    @Test
    void spamHeadersWrittenByTheSenderAreReplaced() throws Exception {
        String marker = "forged-" + UUID.randomUUID();
        String forged = wordyMessage("alice@example.org", DIEGO, "mailpack-junk-test forged", marker)
            .replace("Subject:", "X-Spam-Flag: NO\r\nX-Spam-Status: No, score=-100\r\nSubject:");
        assertThat(sendInbound(server, DIEGO, forged)).startsWith("250");
        String filed = awaitIn("Spam", marker);
        assertThat(filed).doesNotContain("X-Spam-Flag: NO").doesNotContain("score=-100").contains("X-Spam-Flag: YES");
    }

    @Test
    void authenticatedSubmissionOfSpamIsRefusedToTheClient() throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.submissionPort())) {
            smtp.send("EHLO laptop.example.org");
            assertThat(smtp.startTls(Clients.trusting(server.certificate()))).startsWith("220");
            smtp.send("EHLO laptop.example.org");
            assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("235");
            assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<someone@elsewhere.example>")).startsWith("250");
            String reply = smtp.data(wordyMessage(DIEGO, "someone@elsewhere.example", "hi", "outbound-" + UUID.randomUUID()) + GTUBE + "\r\n");
            assertThat(reply).startsWith("550 5.7.1");
        }
    }

    @Test
    void authenticatedSubmissionOfACleanMessageIsAccepted() throws Exception {
        String marker = "submitted-" + UUID.randomUUID();
        try (SmtpDialog smtp = SmtpDialog.connect(server.submissionPort())) {
            smtp.send("EHLO laptop.example.org");
            smtp.startTls(Clients.trusting(server.certificate()));
            smtp.send("EHLO laptop.example.org");
            assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("235");
            assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.data(wordyMessage(DIEGO, DIEGO, "note to self", marker))).startsWith("250");
        }
        assertThat(awaitIn("INBOX", marker)).doesNotContain("X-Spam-");
    }

    @Test
    void movingIntoJunkTeachesSpamAndOutOfJunkTeachesHam() throws Exception {
        String spam = "learn-spam-" + UUID.randomUUID();
        assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "lottery winnings", spam))).startsWith("250");
        awaitIn("INBOX", spam);
        long before = rspamd.learned();
        assertThat(ScanClients.move(server, DIEGO, PASSWORD, "INBOX", "Spam", spam)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(rspamd::learned, learned -> learned == before + 1);

        String ham = "learn-ham-" + UUID.randomUUID();
        assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "mailpack-junk-test but wanted", ham))).startsWith("250");
        awaitIn("Spam", ham);
        assertThat(ScanClients.move(server, DIEGO, PASSWORD, "Spam", "INBOX", ham)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(rspamd::learned, learned -> learned == before + 2);
        assertThat(rspamd.stat().toString()).contains("BAYES_HAM").contains("BAYES_SPAM");
    }

    /**
     * A user's "move to junk" taken back: the message was learned as spam (and marked {@code $Junk}), so
     * moving it out of Junk learns it as ham (and marks it {@code $NotJunk}).
     */
    @Test
    void aMessageTakenBackOutOfJunkIsLearnedAsHamAgain() throws Exception {
        String marker = "taken-back-" + UUID.randomUUID();
        assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "quarterly figures attached", marker))).startsWith("250");
        awaitIn("INBOX", marker);
        long spamBefore = rspamd.bayesLearns(true);
        long hamBefore = rspamd.bayesLearns(false);
        assertThat(ScanClients.move(server, DIEGO, PASSWORD, "INBOX", "Spam", marker)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> keywords("Spam", marker).contains("$Junk"));
        assertThat(rspamd.bayesLearns(true)).isEqualTo(spamBefore + 1);

        assertThat(ScanClients.move(server, DIEGO, PASSWORD, "Spam", "INBOX", marker)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> keywords("INBOX", marker).contains("$NotJunk"));
        assertThat(keywords("INBOX", marker)).doesNotContain("$Junk");
        assertThat(rspamd.bayesLearns(false)).isEqualTo(hamBefore + 1);
        // whether rspamd also takes the spam lesson back is its learn cache's business (seen both ways)
    }

    /** Deleting a junk message (a move into Trash) is no verdict: it is not learned as ham; taking one out to INBOX is. */
    @Test
    void aJunkMessageDeletedIntoTrashIsNotLearnedAsHam() throws Exception {
        String deleted = "deleted-junk-" + UUID.randomUUID();
        String rescued = "rescued-junk-" + UUID.randomUUID();
        for (String marker : List.of(deleted, rescued)) {
            assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "mailpack-junk-test " + marker, marker))).startsWith("250");
            assertThat(awaitIn("Spam", marker)).contains("X-Spam-Flag: YES");
        }
        long hamBefore = rspamd.bayesLearns(false);
        assertThat(ScanClients.move(server, DIEGO, PASSWORD, "Spam", "Trash", deleted)).isEqualTo(1);
        assertThat(ScanClients.move(server, DIEGO, PASSWORD, "Spam", "INBOX", rescued)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> keywords("INBOX", rescued).contains("$NotJunk"));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
            .until(() -> rspamd.bayesLearns(false) == hamBefore + 1);
        assertThat(keywords("Trash", deleted)).doesNotContain("$NotJunk", "$Junk");
    }

    /** The keywords of the first message of {@code folder} containing {@code marker} (read-only: nothing is changed). */
    static List<String> keywords(String folderName, String marker) throws Exception {
        try (javax.mail.Store store = Clients.imapsStore(server, DIEGO, PASSWORD)) {
            javax.mail.Folder folder = store.getFolder(folderName);
            folder.open(javax.mail.Folder.READ_ONLY);
            try {
                for (javax.mail.Message message : folder.getMessages()) {
                    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
                    message.writeTo(raw);
                    if (raw.toString(StandardCharsets.UTF_8).contains(marker)) {
                        return List.of(message.getFlags().getUserFlags());
                    }
                }
                return List.of();
            } finally {
                folder.close(false);
            }
        }
    }

    @Test
    void healthCheckReportsRspamd() throws Exception {
        var response = server.webAdmin("GET", "/healthcheck/checks/rspamd", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"healthy\"");
    }
}
