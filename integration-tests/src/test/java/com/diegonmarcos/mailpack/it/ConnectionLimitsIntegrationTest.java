package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 16, item 5: how many connections one address, and everybody together, may hold on each listener
 * (one address held 1,000 idle IMAP connections on main). The packaged server in its own JVM with the
 * shipped conf and its default limits (port-25 rate limits off, as the test opens many connections from
 * 127.0.0.0/8). Each test uses source addresses of its own, so that a connection another test left for
 * the server to notice closed does not count. After every test a normal message is delivered once over
 * SMTP and fetched over IMAP.
 *
 * <p>A connection over a limit is closed as soon as it is accepted; on the plain SMTP listeners (25, 587) it
 * is told {@code 421 4.7.0 ... too many connections} first (James' own handlers said nothing, which a
 * sender cannot tell from a crash); on IMAP, POP3 and implicit TLS no greeting, a TLS handshake cut
 * short. One connection closed, the next one is welcome.
 */
class ConnectionLimitsIntegrationTest {
    private static final Logger LOGGER = LoggerFactory.getLogger(ConnectionLimitsIntegrationTest.class);
    static final String USER = "limits@diegonmarcos.com";
    static final String PASSWORD = "ninety-nine-red-balloons-over-993";

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process().withoutInboundRateLimits();

    static SSLContext tls;

    @BeforeAll
    static void createUser() throws Exception {
        server.createUser(USER, PASSWORD);
        tls = Clients.trusting(server.certificate());
    }

    static final String CLOSED = "<closed>";

    enum Listener {
        SMTP("smtpserver.xml", "MAILPACK_SMTP_MAX_CONNECTIONS", false, "220 ", "421 4.7.0 "),
        SUBMISSION("smtpserver.xml", "MAILPACK_SUBMISSION_MAX_CONNECTIONS", false, "220 ", "421 4.7.0 "),
        SMTPS("smtpserver.xml", "MAILPACK_SUBMISSION_MAX_CONNECTIONS", true, "220 ", CLOSED),
        IMAP("imapserver.xml", "MAILPACK_IMAP_MAX_CONNECTIONS", false, "* OK ", CLOSED),
        IMAPS("imapserver.xml", "MAILPACK_IMAP_MAX_CONNECTIONS", true, "* OK ", CLOSED),
        POP3S("pop3server.xml", "MAILPACK_POP3_MAX_CONNECTIONS", true, "+OK ", CLOSED);

        final String file;
        final String totalVariable;
        final boolean implicitTls;
        final String greeting;
        /** What a connection over a limit reads first: the start of a reply, or {@value #CLOSED}. */
        final String refusal;

        Listener(String file, String totalVariable, boolean implicitTls, String greeting, String refusal) {
            this.file = file;
            this.totalVariable = totalVariable;
            this.implicitTls = implicitTls;
            this.greeting = greeting;
            this.refusal = refusal;
        }

        /** The first line of a refused connection matches {@link #refusal}; for SMTP, then the close. */
        void assertRefused(Held refused, String what) throws IOException {
            assertThat(refused.greeting()).as(what).startsWith(refusal);
            if (!refusal.equals(CLOSED)) {
                assertThat(refused.greeting()).as(what).contains("too many connections");
                assertThat(refused.nextLine()).as(what + ", after the 421").isEqualTo(CLOSED);
            }
        }

        int total() {
            return (int) ImapHostileInputIntegrationTest.shippedDefault(file, totalVariable);
        }

        int perAddress() {
            return (int) ImapHostileInputIntegrationTest.shippedDefault(file, totalVariable + "_PER_IP");
        }

        /** A loopback address only this listener's tests use: {@code 127.<block>.<ordinal>.<host>}. */
        String address(int block, int host) {
            return "127." + block + "." + (ordinal() + 1) + "." + host;
        }

        int port() {
            switch (this) {
                case SMTP: return server.smtpPort();
                case SUBMISSION: return server.submissionPort();
                case SMTPS: return server.smtpsPort();
                case IMAP: return server.imapPort();
                case IMAPS: return server.imapsPort();
                default: return server.pop3sPort();
            }
        }
    }

    /** Every refusal leaves the server working: one new message goes in over port 25 and comes out once over IMAP. */
    @AfterEach
    void aNormalMessageIsStillDeliveredOnce(TestInfo test) {
        String subject = "after " + test.getDisplayName() + " " + UUID.randomUUID();
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().ignoreExceptions().untilAsserted(() -> {
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                assertThat(smtp.send("EHLO mx.example.org")).startsWith("250");
                assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<" + USER + ">")).startsWith("250");
                assertThat(smtp.data(Clients.message("alice@example.org", USER, subject, "still working"))).startsWith("250");
            }
        });
        await().atMost(Duration.ofSeconds(60)).pollInSameThread().ignoreExceptions().until(() ->
            ImapDialog.inboxCountWithSubject(server.imapsPort(), tls, USER, PASSWORD, subject) == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20)).pollInSameThread().ignoreExceptions().until(() ->
            ImapDialog.inboxCountWithSubject(server.imapsPort(), tls, USER, PASSWORD, subject) == 1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Listener.class)
    void connectionsOverThePerAddressLimitAreRefusedOnEveryListener(Listener listener) throws Exception {
        int limit = listener.perAddress();
        assertThat(limit).as(listener.totalVariable + "_PER_IP").isBetween(5, 50);
        String address = listener.address(1, 1);
        List<Held> held = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                Held connection = Held.open(listener, address);
                held.add(connection);
                assertThat(connection.greeting()).as("connection %d of %d", i + 1, limit).startsWith(listener.greeting);
            }
            try (Held refused = Held.open(listener, address)) {
                listener.assertRefused(refused, "connection " + (limit + 1));
            }
            try (Held other = Held.open(listener, listener.address(1, 2))) {
                assertThat(other.greeting()).as("another address").startsWith(listener.greeting);
            }
            held.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).pollInSameThread().untilAsserted(() -> {
                try (Held next = Held.open(listener, address)) {
                    assertThat(next.greeting()).startsWith(listener.greeting);
                }
            });
        } finally {
            closeAll(held);
        }
    }

    /** The total limit of one listener, from many addresses each under its own limit; the other listeners are not concerned. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Listener.class, names = {"SMTP", "IMAP", "POP3S"})
    void connectionsOverTheTotalLimitOfAListenerAreRefused(Listener listener) throws Exception {
        int total = listener.total();
        int perAddress = listener.perAddress();
        assertThat(total).as(listener.totalVariable).isBetween(20, 500).isGreaterThan(perAddress);
        List<Held> held = new ArrayList<>();
        long rssBefore = serverRssKib();
        try {
            // all connected first, greetings read after
            for (int i = 0; i < total; i++) {
                held.add(Held.connect(listener, listener.address(2, 1 + i / (perAddress - 1))));
            }
            for (int i = 0; i < total; i++) {
                assertThat(held.get(i).greeting()).as("connection %d of %d", i + 1, total).startsWith(listener.greeting);
            }
            long rssHeld = serverRssKib();
            LOGGER.info("{}: {} connections held, server RSS {} -> {} MiB", listener, total, rssBefore / 1024, rssHeld / 1024);
            assertThat(rssHeld - rssBefore).as("RSS growth (KiB) for %d idle connections", total).isLessThan(96 * 1024);
            String fresh = listener.address(3, 1);
            try (Held refused = Held.open(listener, fresh)) {
                listener.assertRefused(refused, "connection " + (total + 1) + ", from a fresh address");
            }
            Listener other = listener == Listener.IMAP ? Listener.IMAPS : Listener.IMAP;
            try (Held elsewhere = Held.open(other, fresh)) {
                assertThat(elsewhere.greeting()).as("another listener").startsWith(other.greeting);
            }
            held.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).pollInSameThread().untilAsserted(() -> {
                try (Held next = Held.open(listener, fresh)) {
                    assertThat(next.greeting()).startsWith(listener.greeting);
                }
            });
        } finally {
            closeAll(held);
        }
    }

    /** The server process's resident set (Linux {@code /proc}), KiB. */
    private static long serverRssKib() throws IOException {
        return Files.readAllLines(Path.of("/proc/" + server.pid() + "/status")).stream()
            .filter(line -> line.startsWith("VmRSS:"))
            .map(line -> Long.parseLong(line.replaceAll("\\D", "")))
            .findFirst().orElseThrow();
    }

    private static void closeAll(List<Held> held) throws IOException {
        for (Held connection : held) {
            connection.close();
        }
    }

    /** An open connection and the first line the server sent on it, or {@code <closed>}. */
    static final class Held implements AutoCloseable {
        private final Socket socket;
        private String greeting;

        private Held(Socket socket, String greeting) {
            this.socket = socket;
            this.greeting = greeting;
        }

        /** Connects (and completes the TLS handshake) and reads the greeting. */
        static Held open(Listener listener, String sourceAddress) throws IOException {
            Held held = connect(listener, sourceAddress);
            held.greeting();
            return held;
        }

        /** Connects (and completes the TLS handshake); the greeting is read by {@link #greeting()}. */
        static Held connect(Listener listener, String sourceAddress) throws IOException {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(sourceAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", listener.port()), 10_000);
            socket.setSoTimeout(15_000);
            if (!listener.implicitTls) {
                return new Held(socket, null);
            }
            try {
                SSLSocket secured = (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost", listener.port(), true);
                secured.startHandshake();
                return new Held(secured, null);
            } catch (SSLException | java.net.SocketException closedDuringHandshake) {
                socket.close();
                return new Held(socket, CLOSED);
            }
        }

        String greeting() throws IOException {
            if (greeting == null) {
                try {
                    greeting = firstLine(socket.getInputStream());
                } catch (java.net.SocketException reset) {
                    greeting = CLOSED;
                }
            }
            return greeting;
        }

        /** The line after the greeting, or {@code <closed>}. */
        String nextLine() throws IOException {
            greeting();
            try {
                return firstLine(socket.getInputStream());
            } catch (java.net.SocketException reset) {
                return CLOSED;
            }
        }

        private static String firstLine(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.append((char) b);
            }
            return b == -1 && line.length() == 0 ? CLOSED : line.toString().trim();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
