package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 16, item 5: what a hostile or careless client can make of IMAP before and after login (literals,
 * long lines, never logging in). Raw sockets against the packaged server in its own JVM (shipped conf;
 * port-25 rate limits off, and a login timeout of {@value #LOGIN_TIMEOUT_SECONDS} s set through its
 * variable, so that waiting it out takes seconds). The server's temporary directory is one of the test's
 * own, so that what James spools there can be measured. After every test a normal message is delivered
 * once over SMTP and fetched over IMAP. Connection limits: {@link ConnectionLimitsIntegrationTest}.
 */
class ImapHostileInputIntegrationTest {
    static final String USER = "hostile@diegonmarcos.com";
    /** 100 characters: the LOGIN test sends it as a {100} literal. */
    static final String PASSWORD = "literal-login-passphrase-".repeat(4);
    static final int LOGIN_TIMEOUT_SECONDS = 8;
    static final Path SERVER_TMP = createTempDirectory();
    static final long MESSAGE_LIMIT = shippedDefault("smtpserver.xml", "MAILPACK_MAX_MESSAGE_KB") * 1024;

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process()
        .withoutInboundRateLimits()
        .variable("MAILPACK_IMAP_LOGIN_TIMEOUT", String.valueOf(LOGIN_TIMEOUT_SECONDS))
        .jvmOption("-Djava.io.tmpdir=" + SERVER_TMP)
        .jvmOption("-XX:MaxDirectMemorySize=64m");

    static SSLContext tls;

    @BeforeAll
    static void createUser() throws Exception {
        assertThat(PASSWORD).hasSize(100);
        server.createUser(USER, PASSWORD);
        tls = Clients.trusting(server.certificate());
    }

    /** Every refusal leaves the server working: one new message goes in over port 25 and comes out once over IMAP. */
    @AfterEach
    void aNormalMessageIsStillDeliveredOnce(TestInfo test) {
        String subject = "after " + test.getDisplayName() + " " + UUID.randomUUID();
        deliver(subject);
        await().atMost(Duration.ofSeconds(60)).pollInSameThread().ignoreExceptions().until(() -> inboxCount(subject) == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20)).pollInSameThread().ignoreExceptions()
            .until(() -> inboxCount(subject) == 1);
    }

    /** One message to {@link #USER} over port 25 (again until the server has seen the sockets of a test close). */
    static void deliver(String subject) {
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().ignoreExceptions().untilAsserted(() -> {
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                assertThat(smtp.send("EHLO mx.example.org")).startsWith("250");
                assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<" + USER + ">")).startsWith("250");
                assertThat(smtp.data(Clients.message("alice@example.org", USER, subject, "still working"))).startsWith("250");
            }
        });
    }

    static long inboxCount(String subject) throws IOException {
        return ImapDialog.inboxCountWithSubject(server.imapsPort(), tls, USER, PASSWORD, subject);
    }

    private ImapDialog imap(boolean implicitTls) throws IOException {
        ImapDialog imap = implicitTls ? ImapDialog.connectTls(server.imapsPort(), tls) : ImapDialog.connect(server.imapPort());
        assertThat(imap.greeting()).startsWith("* OK");
        return imap;
    }

    private ImapDialog loggedIn() throws IOException {
        ImapDialog imap = imap(true);
        assertThat(imap.command("a0", "LOGIN " + USER + " " + PASSWORD)).last().asString().startsWith("a0 OK");
        return imap;
    }

    @ParameterizedTest(name = "implicit TLS: {0}")
    @ValueSource(booleans = {false, true})
    void aGigabyteLiteralBeforeLoginIsRefusedAtOnceAndNothingIsSpooled(boolean implicitTls) throws Exception {
        long before = spooledBytes();
        try (ImapDialog imap = imap(implicitTls)) {
            imap.send("a1 LOGIN {999999999}");
            assertThat(imap.readLine()).isEqualTo("a1 BAD [TOOBIG] Literal too large before authentication (at most 8192 bytes)");
            assertThat(imap.readUntilClosed()).containsExactly("* BYE Closing connection", "<closed>");
            sendRegardless(imap, 16);
        }
        try (Stream<Path> files = Files.list(SERVER_TMP)) {
            assertThat(files.map(file -> file.getFileName().toString())).noneMatch(name -> name.startsWith("imap-literal"));
        }
        assertThat(spooledBytes() - before).as("bytes written to the server's temporary directory").isLessThan(64 * 1024);
    }

    /** Synchronizing, non-synchronizing (RFC 7888) and literal8 (RFC 3516, {@code ~{N}}) announcements alike. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{9000}", "{9000+}", "~{9000}", "~{9000+}"})
    void aLiteralOverEightKibibytesBeforeLoginIsRefusedInEveryForm(String announcement) throws Exception {
        try (ImapDialog imap = imap(true)) {
            imap.send("a1 LOGIN " + announcement);
            // refused at the announcement: the answer comes without waiting for the data
            assertThat(imap.readUntilClosed()).containsExactly(
                "a1 BAD [TOOBIG] Literal too large before authentication (at most 8192 bytes)", "* BYE Closing connection", "<closed>");
            sendRegardless(imap, 0);
        }
    }

    @Test
    void aRealLoginWithAHundredBytePasswordLiteralWorks() throws Exception {
        try (ImapDialog imap = imap(true)) {
            imap.send("a1 LOGIN \"" + USER + "\" {100}");
            assertThat(imap.readLine()).startsWith("+");
            imap.send(PASSWORD);
            assertThat(imap.readUntilTagged("a1")).last().asString().startsWith("a1 OK");
            assertThat(imap.command("a2", "SELECT INBOX")).last().asString().startsWith("a2 OK");
        }
    }

    /** James 3.8.1 alone sends "+" for the first literal of a command only: the client would wait forever. */
    @Test
    void aLoginWithTwoSynchronizingLiteralsGetsAContinuationForEach() throws Exception {
        try (ImapDialog imap = imap(true)) {
            imap.send("a1 LOGIN {" + USER.length() + "}");
            assertThat(imap.readLine()).startsWith("+");
            imap.send(USER + " {100}");
            assertThat(imap.readLine()).startsWith("+");
            imap.send(PASSWORD);
            assertThat(imap.readUntilTagged("a1")).last().asString().startsWith("a1 OK");
        }
    }

    /** Non-synchronizing literals within the limit, their data in the same packet as their announcement, still work (as on main). */
    @ParameterizedTest(name = "implicit TLS: {0}")
    @ValueSource(booleans = {false, true})
    void aLoginWithNonSynchronizingLiteralsInOnePacketWorks(boolean implicitTls) throws Exception {
        try (ImapDialog imap = imap(implicitTls)) {
            imap.sendRaw(("a1 LOGIN {" + USER.length() + "+}\r\n" + USER + " {100+}\r\n" + PASSWORD + "\r\na2 NOOP\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            List<String> lines = new ArrayList<>(imap.readUntilTagged("a1"));
            if (!lines.contains("a2 OK NOOP completed.")) {
                lines.addAll(imap.readUntilTagged("a2"));
            }
            // port 143 refuses a password before STARTTLS (LOGINDISABLED): the literals were read all the same
            assertThat(lines).contains("a2 OK NOOP completed.")
                .anySatisfy(line -> assertThat(line).startsWith(implicitTls ? "a1 OK" : "a1 NO LOGIN failed. Plain login"));
        }
    }

    @Test
    void appendBeforeLoginIsRefusedWithoutAContinuation() throws Exception {
        try (ImapDialog imap = imap(true)) {
            imap.send("a1 APPEND INBOX {100}");
            assertThat(imap.readLine()).startsWith("a1 NO ");
            assertThat(imap.command("a2", "NOOP")).containsExactly("a2 OK NOOP completed.");
            imap.send("a3 APPEND INBOX {100000}");
            assertThat(imap.readUntilClosed()).containsExactly(
                "a3 BAD [TOOBIG] Literal too large before authentication (at most 8192 bytes)", "* BYE Closing connection", "<closed>");
        }
    }

    @Test
    void afterLoginAMegabyteAppendWorksAndOneOverTheMessageSizeLimitIsRefused() throws Exception {
        String subject = "one megabyte " + UUID.randomUUID();
        byte[] message = megabyteMessage(subject);
        String tooBig = "Literal of " + (MESSAGE_LIMIT + 1) + " bytes is larger than the " + MESSAGE_LIMIT + " bytes this server accepts";
        try (ImapDialog imap = loggedIn()) {
            imap.send("a2 APPEND INBOX {" + message.length + "}");
            assertThat(imap.readLine()).startsWith("+");
            imap.sendRaw(message);
            imap.send("");
            assertThat(imap.readUntilTagged("a2")).last().asString().startsWith("a2 OK [APPENDUID ");

            imap.send("a3 APPEND INBOX {" + (MESSAGE_LIMIT + 1) + "}");
            assertThat(imap.readLine()).isEqualTo("a3 NO [TOOBIG] " + tooBig);
            assertThat(imap.command("a4", "NOOP")).last().asString().isEqualTo("a4 OK NOOP completed.");

            imap.send("a5 APPEND INBOX {" + (MESSAGE_LIMIT + 1) + "+}");
            assertThat(imap.readUntilClosed()).containsExactly("a5 BAD [TOOBIG] " + tooBig, "* BYE Closing connection", "<closed>");
            sendRegardless(imap, 4);
        }
        assertThat(Clients.imapsInbox(server, USER, PASSWORD)).filteredOn(text -> text.contains("Subject: " + subject))
            .singleElement().satisfies(text -> assertThat(text.length()).isGreaterThan(1024 * 1024));
    }

    @Test
    void aLongCommandLineBeforeLoginIsRefused() throws Exception {
        try (ImapDialog imap = imap(false)) {
            imap.send("a1 CAPABILITY" + " x".repeat(5000));
            assertThat(imap.readUntilClosed()).containsExactly(
                "a1 BAD Command too long before authentication (at most 8192 bytes)", "* BYE Closing connection", "<closed>");
        }
    }

    @Test
    void anEndlessLineAfterALiteralBeforeLoginIsCutOff() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (ImapDialog imap = imap(false)) {
                imap.send("a1 LOGIN {3}");
                assertThat(imap.readLine()).startsWith("+");
                imap.sendRaw("abc ".getBytes(StandardCharsets.US_ASCII));
                sendRegardless(imap, 16); // 16 MiB without a line end
                assertThat(imap.readUntilClosed()).containsExactly(
                    "a1 BAD Command too long before authentication (at most 8192 bytes)", "* BYE Closing connection", "<closed>");
            }
        });
    }

    /**
     * Before login a connection has {@value #LOGIN_TIMEOUT_SECONDS} s (set through the variable of the shipped
     * {@code <loginTimeout>}), silent or not; a logged-in session in IDLE meanwhile keeps James' 30-minute
     * autologout and still hears of new mail.
     */
    @Test
    void aConnectionThatDoesNotLogInIsClosedAfterTheLoginTimeoutWhateverItSendsAndIdleGoesOn() throws Exception {
        assertThat(shippedDefault("imapserver.xml", "MAILPACK_IMAP_TIMEOUT")).as("RFC 9051 §5.4 autologout").isGreaterThanOrEqualTo(1800);
        try (ImapDialog silent = imap(false); ImapDialog chatty = imap(false); ImapDialog user = loggedIn()) {
            long start = System.nanoTime();
            assertThat(user.command("i1", "SELECT INBOX")).last().asString().startsWith("i1 OK");
            user.send("i2 IDLE");
            assertThat(user.readLine()).startsWith("+");
            AtomicInteger noops = new AtomicInteger();
            List<String> last = new ArrayList<>();
            // a NOOP every half second: traffic does not move the deadline
            await().atMost(Duration.ofSeconds(LOGIN_TIMEOUT_SECONDS + 20)).pollInterval(Duration.ofMillis(500)).pollInSameThread().until(() -> {
                String tag = "n" + noops.incrementAndGet();
                last.clear();
                try {
                    last.addAll(chatty.command(tag, "NOOP"));
                } catch (IOException closedWhileSending) {
                    last.add("<closed>");
                }
                return last.contains("<closed>");
            });
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertThat(last).containsExactly("* BYE No login within " + LOGIN_TIMEOUT_SECONDS + " seconds", "<closed>");
            assertThat(seconds).isBetween((long) LOGIN_TIMEOUT_SECONDS - 1, (long) LOGIN_TIMEOUT_SECONDS + 5);
            assertThat(noops.get()).isGreaterThan(LOGIN_TIMEOUT_SECONDS);
            assertThat(silent.readUntilClosed()).containsExactly("* BYE No login within " + LOGIN_TIMEOUT_SECONDS + " seconds", "<closed>");

            // the session that logged in is not concerned: still idling, it is told of a new message
            deliver("while idling " + UUID.randomUUID());
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> user.readLine().endsWith(" EXISTS"));
            user.send("DONE");
            assertThat(user.readUntilTagged("i2")).last().asString().startsWith("i2 OK");
            assertThat(user.command("b1", "NOOP")).last().asString().isEqualTo("b1 OK NOOP completed.");
        }
    }

    /** A client that sends its data anyway: {@code mebibytes} MiB (one line of 9,000 bytes for 0); the server may have stopped reading. */
    private static void sendRegardless(ImapDialog imap, int mebibytes) {
        try {
            if (mebibytes == 0) {
                imap.sendRaw("x".repeat(9000).getBytes(StandardCharsets.US_ASCII));
                return;
            }
            byte[] chunk = "x".repeat(1024 * 1024).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < mebibytes; i++) {
                imap.sendRaw(chunk);
            }
        } catch (IOException closedByTheServer) {
            // expected once the server has closed the connection
        }
    }

    private static byte[] megabyteMessage(String subject) {
        StringBuilder message = new StringBuilder(Clients.message("alice@example.org", USER, subject, ""));
        String line = "0123456789abcdefghijklmnopqrstuvwxyz".repeat(2) + "\r\n";
        while (message.length() < 1024 * 1024 + 100) {
            message.append(line);
        }
        return message.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static long spooledBytes() throws IOException {
        try (Stream<Path> files = Files.walk(SERVER_TMP)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException goneMeanwhile) {
                    return 0;
                }
            }).sum();
        }
    }

    /** The default a shipped conf file writes for a variable, {@code ${NAME:-default}}. */
    static long shippedDefault(String file, String variable) {
        Matcher matcher = Pattern.compile("\\$\\{" + Pattern.quote(variable) + ":-(\\d+)}").matcher(MailpackTestServer.shippedConf(file));
        if (!matcher.find()) {
            throw new IllegalStateException("conf/" + file + " has no ${" + variable + ":-<number>}");
        }
        return Long.parseLong(matcher.group(1));
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("mailpack-server-tmp");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
