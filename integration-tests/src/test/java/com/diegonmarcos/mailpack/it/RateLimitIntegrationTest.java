package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.mail.AuthenticationFailedException;
import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.modules.ratelimit.RateLimitModule;
import com.diegonmarcos.mailpack.ratelimit.LoginGuard;
import com.diegonmarcos.mailpack.smtp.InboundRateLimit;
import com.google.inject.name.Names;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Rate limits and brute-force protection seen by real SMTP and IMAP clients, with the limiter's clock
 * replaced by a {@link TestClock} the tests move forward (the server's other clocks are untouched).
 */
class RateLimitIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "correct-horse-battery-staple";
    static final TestClock CLOCK = new TestClock();
    /** Four mailboxes (the shipped aliases me@, postmaster@ and abuse@ are diego's mailbox and count as diego). */
    static final List<String> LOCAL_ADDRESSES = List.of(DIEGO, "ana@diegonmarcos.com", "ben@diegonmarcos.com", "cleo@diegonmarcos.com");

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .overlay("ratelimits.xml", ratelimits())
        .overrideBindings(binder -> binder.bind(Clock.class).annotatedWith(Names.named(RateLimitModule.CLOCK)).toInstance(CLOCK));

    static SSLContext tls;

    /** The shipped file with: no per-minute recipient limit (the hour limit is under test), 10 messages and 20 connections per minute per address, 5 messages per minute per recipient. */
    static String ratelimits() {
        String shipped = MailpackTestServer.shippedConf("ratelimits.xml");
        String conf = replace(shipped, "<recipients perMinute=\"50\" perHour=\"100\"", "<recipients perMinute=\"0\" perHour=\"100\"");
        conf = replace(conf, "<connections perMinute=\"30\"/>", "<connections perMinute=\"20\"/>");
        conf = replace(conf, "<messages perMinute=\"30\"/>", "<messages perMinute=\"10\"/>");
        return replace(conf, "<recipientMessages perMinute=\"30\"/>", "<recipientMessages perMinute=\"5\"/>");
    }

    private static String replace(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalStateException("conf/ratelimits.xml no longer contains " + from);
        }
        return text.replace(from, to);
    }

    @BeforeAll
    static void createUser() throws Exception {
        for (String user : LOCAL_ADDRESSES) {
            server.createUser(user, PASSWORD);
        }
        tls = Clients.trusting(server.certificate());
    }

    @AfterEach
    void liftBans() throws Exception {
        server.webAdmin("DELETE", "/bans/ip/127.0.0.1", null);
    }

    private static SmtpDialog submission() throws Exception {
        return SmtpDialog.submission(server.submissionPort(), tls, DIEGO, PASSWORD);
    }

    @Test
    void theHundredAndFirstRecipientInAnHourIsTempFailedAndAcceptedAgainAfterTheWindow() throws Exception {
        ListAppender<ILoggingEvent> logs = capture(com.diegonmarcos.mailpack.smtp.SenderRateLimit.class);
        try (SmtpDialog smtp = submission()) {
            assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
            for (int i = 1; i <= 100; i++) {
                assertThat(smtp.send("RCPT TO:<diego+r" + i + "@diegonmarcos.com>")).as("recipient %d", i).startsWith("250");
            }
            assertThat(smtp.send("RCPT TO:<diego+r101@diegonmarcos.com>"))
                .isEqualTo("451 4.7.1 Rate limit reached: at most 100 recipients per hour for diego@diegonmarcos.com, try again later");
            assertThat(logs.list).filteredOn(event -> event.getLevel() == Level.INFO).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("Rate limit: refused RCPT TO:<diego+r101@diegonmarcos.com> of diego@diegonmarcos.com from 127.0.0.1: more than 100 recipients per hour");

            CLOCK.advance(Duration.ofMinutes(59));
            assertThat(smtp.send("RCPT TO:<diego+r101@diegonmarcos.com>")).startsWith("451 4.7.1");
            CLOCK.advance(Duration.ofMinutes(1).plusSeconds(1));
            assertThat(smtp.send("RCPT TO:<diego+r101@diegonmarcos.com>")).startsWith("250");
            assertThat(smtp.data(message(DIEGO, "diego+r101@diegonmarcos.com", "after the window", "hello"))).startsWith("250");
        }
    }

    @Test
    void theEleventhMessageInAMinuteFromOneAddressIsTempFailedAtMail() throws Exception {
        CLOCK.advance(Duration.ofMinutes(2));
        for (int i = 1; i <= 10; i++) {
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                smtp.send("EHLO sender.example");
                assertThat(smtp.send("MAIL FROM:<someone@sender.example>")).as("message %d", i).startsWith("250");
                String recipient = LOCAL_ADDRESSES.get(i % LOCAL_ADDRESSES.size()); // under the 5 per minute per mailbox
                assertThat(smtp.send("RCPT TO:<" + recipient + ">")).startsWith("250");
                assertThat(smtp.data(message("someone@sender.example", recipient, "message " + i, "hello"))).startsWith("250");
            }
        }
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO sender.example");
            assertThat(smtp.send("MAIL FROM:<someone@sender.example>"))
                .isEqualTo("451 4.7.1 Rate limit reached: at most 10 messages per minute from your address, try again later");
            CLOCK.advance(Duration.ofSeconds(61));
            assertThat(smtp.send("MAIL FROM:<someone@sender.example>")).startsWith("250");
        }
    }

    @Test
    void connectionsOverTheLimitGet421InsteadOfTheGreeting() throws Exception {
        CLOCK.advance(Duration.ofMinutes(2));
        List<SmtpDialog> open = new ArrayList<>();
        try {
            for (int i = 1; i <= 20; i++) {
                SmtpDialog smtp = SmtpDialog.connect(server.smtpPort());
                open.add(smtp);
                assertThat(smtp.greeting()).as("connection %d", i).startsWith("220");
            }
            try (SmtpDialog refused = SmtpDialog.connect(server.smtpPort())) {
                assertThat(refused.greeting())
                    .isEqualTo("421 4.7.1 Rate limit reached: at most 20 connections per minute from your address, try again later");
            }
        } finally {
            for (SmtpDialog smtp : open) {
                smtp.close();
            }
        }
        CLOCK.advance(Duration.ofSeconds(61));
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            assertThat(smtp.greeting()).startsWith("220");
        }
    }

    @Test
    void aFloodToOneMailboxIsTempFailedAtRcptWhicheverOfItsAddressesItUses() throws Exception {
        CLOCK.advance(Duration.ofMinutes(2));
        ListAppender<ILoggingEvent> logs = capture(InboundRateLimit.class);
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO sender.example");
            for (int i = 1; i <= 5; i++) {
                assertThat(smtp.send("MAIL FROM:<flood@sender.example>")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<postmaster@diegonmarcos.com>")).as("message %d", i).startsWith("250");
                assertThat(smtp.send("RSET")).startsWith("250");
            }
            assertThat(smtp.send("MAIL FROM:<flood@sender.example>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<postmaster@diegonmarcos.com>"))
                .isEqualTo("451 4.7.1 Rate limit reached: at most 5 messages per minute to the mailbox of postmaster@diegonmarcos.com, try again later");
            assertThat(smtp.send("RCPT TO:<abuse@diegonmarcos.com>")).as("another alias of diego").startsWith("451 4.7.1");
            assertThat(smtp.send("RCPT TO:<diego+f1@diegonmarcos.com>")).as("a subaddress of diego").startsWith("451 4.7.1");
            assertThat(smtp.send("RCPT TO:<nobody-at-all@diegonmarcos.com>")).as("caught for diego").startsWith("451 4.7.1");
            for (int i = 1; i <= 5; i++) {
                assertThat(smtp.send("RCPT TO:<ana+f" + i + "@diegonmarcos.com>")).startsWith("250");
            }
            assertThat(smtp.send("RCPT TO:<ana+f6@diegonmarcos.com>")).as("subaddresses count for their mailbox")
                .isEqualTo("451 4.7.1 Rate limit reached: at most 5 messages per minute to the mailbox of ana+f6@diegonmarcos.com, try again later");
        }
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).first()
            .isEqualTo("Rate limit: refused RCPT TO:<postmaster@diegonmarcos.com> (mailbox diego@diegonmarcos.com) from 127.0.0.1: more than 5 messages per minute");
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).last()
            .isEqualTo("Rate limit: refused RCPT TO:<ana+f6@diegonmarcos.com> (mailbox ana@diegonmarcos.com) from 127.0.0.1: more than 5 messages per minute");
        assertThat(logs.list).hasSize(5);
    }

    @Test
    void aPerUserOverrideSetOverWebadminAppliesAtOnceAndCanBeRemoved() throws Exception {
        assertThat(server.webAdmin("PUT", "/ratelimits/users/" + DIEGO, "{\"recipients\":{\"perHour\":3},\"messages\":{\"perDay\":50}}").statusCode())
            .isEqualTo(204);
        assertThat(server.webAdmin("GET", "/ratelimits/users/" + DIEGO, null).body())
            .isEqualTo("{\"messages\":{\"perDay\":50},\"recipients\":{\"perHour\":3},\"source\":\"override\"}");
        try (SmtpDialog smtp = submission()) {
            assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
            for (int i = 1; i <= 3; i++) {
                assertThat(smtp.send("RCPT TO:<diego+o" + i + "@diegonmarcos.com>")).startsWith("250");
            }
            assertThat(smtp.send("RCPT TO:<diego+o4@diegonmarcos.com>")).startsWith("451 4.7.1 Rate limit reached: at most 3 recipients per hour");
        }
        assertThat(server.webAdmin("PUT", "/ratelimits/users/" + DIEGO, "{\"recipients\":{\"perFortnight\":3}}").statusCode()).isEqualTo(400);
        assertThat(server.webAdmin("PUT", "/ratelimits/users/nobody@diegonmarcos.com", "{}").statusCode()).isEqualTo(404);
        assertThat(server.webAdmin("DELETE", "/ratelimits/users/" + DIEGO, null).statusCode()).isEqualTo(204);
        assertThat(server.webAdmin("DELETE", "/ratelimits/users/" + DIEGO, null).statusCode()).isEqualTo(404);
        assertThat(server.webAdmin("GET", "/ratelimits/users/" + DIEGO, null).body()).contains("\"source\":\"conf\"", "\"perHour\":100");
    }

    @Test
    void fiveWrongImapPasswordsBanTheAddressEvenForTheRightPasswordUntilTheBanEndsOrIsLifted() throws Exception {
        for (int i = 1; i <= 5; i++) {
            assertThatThrownBy(() -> Clients.imapsInbox(server, DIEGO, "wrong-password-attempt"))
                .as("attempt %d", i).isInstanceOf(AuthenticationFailedException.class);
        }
        assertThatThrownBy(() -> Clients.imapsInbox(server, DIEGO, PASSWORD))
            .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("Too many failed logins");
        assertThat(server.webAdmin("GET", "/bans", null).body())
            .contains("{\"kind\":\"ip\",\"value\":\"127.0.0.1\",\"until\":\"").contains("\"offence\":1}");

        CLOCK.advance(Duration.ofMinutes(15).plusSeconds(1));
        assertThat(Clients.imapsInbox(server, DIEGO, PASSWORD)).isNotNull();
        assertThat(server.webAdmin("GET", "/bans", null).body()).isEqualTo("[]");

        for (int i = 1; i <= 5; i++) {
            assertThatThrownBy(() -> Clients.imapsInbox(server, DIEGO, "wrong-password-attempt")).isInstanceOf(AuthenticationFailedException.class);
        }
        assertThat(server.webAdmin("GET", "/bans", null).body()).contains("\"offence\":2}");
        assertThatThrownBy(() -> Clients.imapsInbox(server, DIEGO, PASSWORD)).hasMessageContaining("Too many failed logins");
        assertThat(server.webAdmin("DELETE", "/bans/ip/127.0.0.1", null).statusCode()).isEqualTo(204);
        assertThat(Clients.imapsInbox(server, DIEGO, PASSWORD)).isNotNull();
        assertThat(server.webAdmin("GET", "/bans", null).body()).isEqualTo("[]");
        assertThat(server.webAdmin("DELETE", "/bans/ip/127.0.0.1", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aSecondBanLastsTwiceAsLong() throws Exception {
        ListAppender<ILoggingEvent> logs = capture(LoginGuard.class);
        for (int round = 1; round <= 2; round++) {
            for (int i = 1; i <= 5; i++) {
                assertThatThrownBy(() -> Clients.imapsInbox(server, DIEGO, "wrong-password-attempt")).isInstanceOf(AuthenticationFailedException.class);
            }
            if (round == 1) {
                CLOCK.advance(Duration.ofMinutes(15).plusSeconds(1));
            }
        }
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).filteredOn(line -> line.startsWith("mailpack auth ban:"))
            .hasSize(2)
            .satisfies(bans -> {
                assertThat(bans.get(0)).contains("ip=127.0.0.1 seconds=900 ").contains("offence=1 failures=5");
                assertThat(bans.get(1)).contains("ip=127.0.0.1 seconds=1800 ").contains("offence=2 failures=5");
            });
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).filteredOn(line -> line.startsWith("mailpack auth failure:"))
            .hasSize(10).allSatisfy(line -> assertThat(line).isEqualTo("mailpack auth failure: protocol=imap ip=127.0.0.1 user=" + DIEGO));
    }

    @Test
    void imapLoginAndAuthenticateWithInitialResponseAreCountedAndRefusedToo() throws Exception {
        String wrongPlain = java.util.Base64.getEncoder().encodeToString(("\0" + DIEGO + "\0wrong-password-attempt").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String rightPlain = java.util.Base64.getEncoder().encodeToString(("\0" + DIEGO + "\0" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (ImapDialog imap = new ImapDialog()) {
            assertThat(imap.send("a1 LOGIN " + DIEGO + " wrong-password-attempt")).startsWith("a1 NO");
            assertThat(imap.send("a2 LOGIN " + DIEGO + " wrong-password-attempt")).startsWith("a2 NO");
        }
        try (ImapDialog imap = new ImapDialog()) {
            assertThat(imap.send("b1 AUTHENTICATE PLAIN " + wrongPlain)).startsWith("b1 NO");
            assertThat(imap.send("b2 AUTHENTICATE PLAIN " + wrongPlain)).startsWith("b2 NO");
        }
        try (ImapDialog imap = new ImapDialog()) {
            assertThat(imap.send("c1 LOGIN " + DIEGO + " wrong-password-attempt")).startsWith("c1 NO");
            assertThat(imap.send("c2 LOGIN " + DIEGO + " " + PASSWORD)).isEqualTo("c2 NO [ALERT] LOGIN Too many failed logins, try again later");
            assertThat(imap.send("c3 AUTHENTICATE PLAIN " + rightPlain)).isEqualTo("c3 NO [ALERT] AUTHENTICATE Too many failed logins, try again later");
        }
        assertThat(server.webAdmin("DELETE", "/bans/ip/127.0.0.1", null).statusCode()).isEqualTo(204);
        try (ImapDialog imap = new ImapDialog()) {
            assertThat(imap.send("d1 AUTHENTICATE PLAIN " + rightPlain)).startsWith("d1 OK");
        }
    }

    /** Raw IMAPS commands (one-line tagged replies; untagged lines skipped). */
    static final class ImapDialog implements AutoCloseable {
        private final javax.net.ssl.SSLSocket socket;
        private final java.io.BufferedReader in;

        ImapDialog() throws Exception {
            socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", server.imapsPort());
            socket.setSoTimeout(30_000);
            in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("* OK");
        }

        String send(String command) throws IOException {
            socket.getOutputStream().write((command + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            String tag = command.substring(0, command.indexOf(' '));
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed after " + tag);
                }
            } while (!line.startsWith(tag + " "));
            return line;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static ListAppender<ILoggingEvent> capture(Class<?> type) {
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }
}
