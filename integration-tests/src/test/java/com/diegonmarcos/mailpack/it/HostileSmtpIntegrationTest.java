package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.Dkimpy;
import com.diegonmarcos.mailpack.it.peers.TestDns;

/**
 * What a hostile or careless SMTP client sends, against the shipped conf: AUTH on port 25, lines longer
 * than the server reads, 8-bit header bytes, messages over the advertised SIZE. Each refusal is one reply
 * (a NOOP right after gets its own {@code 250 2.0.0}), and a normal message sent right after arrives once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileSmtpIntegrationTest {
    static final String DOMAIN = MailpackTestServer.DOMAIN;
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "hostile-input-passphrase-7";
    static final int MAX_MESSAGE_KB = 1024;

    @RegisterExtension
    @Order(1)
    static TestDns dns = TestDns.forZones(DOMAIN, "example.org");

    @RegisterExtension
    @Order(2)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_DNS_SERVERS", dns.address())
        .variable("MAILPACK_DNS_TIMEOUT", "1s")
        .variable("MAILPACK_MAX_MESSAGE_KB", String.valueOf(MAX_MESSAGE_KB))
        .withoutInboundRateLimits();

    static SSLContext tls;

    @BeforeAll
    static void setUp() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        tls = Clients.trusting(server.certificate());
        assertThat(server.publishDkimRecords(dns)).hasSize(2);
    }

    /** Port 587 after STARTTLS and AUTH as diego. */
    static SmtpDialog submission() throws Exception {
        return SmtpDialog.submission(server.submissionPort(), tls, DIEGO, PASSWORD);
    }

    static SmtpDialog inbound() throws Exception {
        SmtpDialog smtp = SmtpDialog.connect(server.smtpPort());
        assertThat(smtp.send("EHLO client.example")).startsWith("250");
        return smtp;
    }

    static String message(String marker, String extraHeader, String body) {
        return "From: Someone <someone@example.org>\r\n"
            + "To: " + DIEGO + "\r\n"
            + "Subject: hostile " + marker + "\r\n"
            + extraHeader
            + "\r\n"
            + marker + "\r\n"
            + body + "\r\n";
    }

    /** One DATA exchange on port 25; the reply, after checking that it was the only one. */
    static String sendInbound(String marker, String extraHeader, String body) throws Exception {
        try (SmtpDialog smtp = inbound()) {
            assertThat(smtp.send("MAIL FROM:<someone@example.org>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            String reply = smtp.data(message(marker, extraHeader, body));
            assertThat(smtp.send("NOOP")).as("the reply after DATA's (one reply per command)").startsWith("250 2.0.0");
            return reply;
        }
    }

    static List<byte[]> copiesOf(String marker) throws Exception {
        return Clients.imapsFolderRaw(server, DIEGO, PASSWORD, "INBOX").stream()
            .filter(raw -> new String(raw, StandardCharsets.ISO_8859_1).contains(marker))
            .toList();
    }

    /** A normal message sent after a refusal arrives, once; the refused one never. */
    static void normalMessageArrivesOnceAndNotThe(String refusedMarker) throws Exception {
        String marker = "normal-" + UUID.randomUUID();
        assertThat(sendInbound(marker, "", "a normal line")).startsWith("250");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
            .until(() -> copiesOf(marker).size() == 1);
        assertThat(copiesOf(marker)).hasSize(1);
        assertThat(copiesOf(refusedMarker)).isEmpty();
    }

    @Nested
    class AuthOnTheInboundPort {
        @Test
        void isRefusedWithoutCheckingThePasswordAndTheSessionCannotRelay() throws Exception {
            try (SmtpDialog smtp = inbound()) {
                for (int i = 0; i < 50; i++) {
                    assertThat(smtp.authPlain(DIEGO, "wrong-" + i)).startsWith("503 5.5.1");
                }
                assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("503 5.5.1");
                assertThat(smtp.send("AUTH LOGIN")).startsWith("503 5.5.1");
                assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<victim@example.net>")).startsWith("5");
            }
            normalMessageArrivesOnceAndNotThe("never-sent-" + UUID.randomUUID());
        }

        @Test
        void theSubmissionPortStillAuthenticates() throws Exception {
            try (SmtpDialog smtp = submission()) {
                assertThat(smtp.send("NOOP")).startsWith("250");
            }
        }
    }

    @Nested
    class LongLines {
        @Test
        void aBodyLineOver8KiBRefusesTheWholeMessageWithOneReply() throws Exception {
            String marker = "long-body-" + UUID.randomUUID();
            String reply = sendInbound(marker, "", "x".repeat(20_000) + "\r\nafter the long line");
            assertThat(reply).startsWith("554 5.6.0").contains("longer than 8192 bytes");
            normalMessageArrivesOnceAndNotThe(marker);
        }

        @Test
        void aHundredKilobyteUnfoldedHeaderRefusesTheWholeMessageWithOneReply() throws Exception {
            String marker = "long-header-" + UUID.randomUUID();
            String reply = sendInbound(marker, "X-Huge: " + "h".repeat(100_000) + "\r\n", "body");
            assertThat(reply).startsWith("554 5.6.0");
            normalMessageArrivesOnceAndNotThe(marker);
        }

        @Test
        void aLineOfExactly8KiBIsStoredByteExact() throws Exception {
            String marker = "line-8k-" + UUID.randomUUID();
            String line = "y".repeat(8192);
            assertThat(sendInbound(marker, "", line + "\r\nend")).startsWith("250");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> copiesOf(marker).size() == 1);
            assertThat(new String(copiesOf(marker).get(0), StandardCharsets.ISO_8859_1)).contains(marker + "\r\n" + line + "\r\nend\r\n");
        }

        @Test
        void aLongCommandLineGetsOneError() throws Exception {
            try (SmtpDialog smtp = inbound()) {
                assertThat(smtp.send("MAIL FROM:<" + "a".repeat(10_000) + "@example.org>")).startsWith("500");
                assertThat(smtp.send("NOOP")).startsWith("250 2.0.0");
            }
        }
    }

    @Nested
    class EightBitHeaders {
        static final String SUBJECT_8BIT = "Olá café — €uro ünïcode";

        @Test
        void rawUtf8HeaderBytesAreStoredByteExactOnPort25() throws Exception {
            String marker = "8bit-in-" + UUID.randomUUID();
            assertThat(sendInbound(marker, "X-Title: " + SUBJECT_8BIT + "\r\n", "body")).startsWith("250");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> copiesOf(marker).size() == 1);
            byte[] stored = copiesOf(marker).get(0);
            assertThat(new String(stored, StandardCharsets.UTF_8)).contains("X-Title: " + SUBJECT_8BIT + "\r\n");
        }

        @Test
        void rawUtf8HeaderBytesAreSignedByteExactOnSubmission() throws Exception {
            String marker = "8bit-out-" + UUID.randomUUID();
            try (SmtpDialog smtp = submission()) {
                assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
                String message = "From: Diego <" + DIEGO + ">\r\nTo: " + DIEGO + "\r\nSubject: " + SUBJECT_8BIT + " " + marker
                    + "\r\nMessage-ID: <" + marker + "@diegonmarcos.com>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\n" + marker + "\r\n";
                assertThat(smtp.data(message)).startsWith("250");
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> copiesOf(marker).size() == 1);
            byte[] stored = copiesOf(marker).get(0);
            assertThat(new String(stored, StandardCharsets.UTF_8)).contains("Subject: " + SUBJECT_8BIT + " " + marker + "\r\n");
            assertThat(Dkimpy.verify(stored, dns)).hasSize(2).allSatisfy(verdict -> assertThat(verdict).startsWith("pass " + DOMAIN));
        }
    }

    @Nested
    class OverTheAdvertisedSize {
        @Test
        void aMessageOverSizeGetsOne552WithTheLimit() throws Exception {
            String marker = "too-big-" + UUID.randomUUID();
            String body = ("z".repeat(998) + "\r\n").repeat(MAX_MESSAGE_KB + 100);
            String reply = sendInbound(marker, "", body);
            assertThat(reply).isEqualTo("552 5.3.4 Message too big: this server accepts at most " + MAX_MESSAGE_KB * 1024
                + " bytes (SIZE " + MAX_MESSAGE_KB * 1024 + ")");
            normalMessageArrivesOnceAndNotThe(marker);
        }

        @Test
        void aDeclaredSizeOverTheLimitIsRefusedAtMail() throws Exception {
            try (SmtpDialog smtp = inbound()) {
                assertThat(smtp.send("EHLO client.example")).contains("SIZE " + MAX_MESSAGE_KB * 1024);
                assertThat(smtp.send("MAIL FROM:<someone@example.org> SIZE=" + (MAX_MESSAGE_KB * 1024 + 1))).startsWith("552 5.3.4");
            }
        }
    }
}
