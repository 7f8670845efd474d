package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import javax.mail.AuthenticationFailedException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.Peers;

/**
 * Brute-force protection across SMTP AUTH, POP3 and IMAP on the packaged server in its own JVM (as an
 * operator runs it, logging to {@code var/log/mailpack.log} with the shipped {@code logback.xml}), and
 * the shipped fail2ban filter run by {@code fail2ban-regex} over the log the server wrote.
 */
class BruteForceIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "correct-horse-battery-staple";
    static final Path FILTER = Path.of(System.getProperty("mailpack.conf", "../conf"), "fail2ban/filter.d/mailpack.conf");

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process();

    static SSLContext tls;

    @BeforeAll
    static void createUser() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        tls = Clients.trusting(server.certificate());
    }

    private static SmtpDialog submission() throws Exception {
        SmtpDialog smtp = SmtpDialog.connect(server.submissionPort());
        smtp.send("EHLO client.example");
        assertThat(smtp.startTls(tls)).startsWith("220");
        smtp.send("EHLO client.example");
        return smtp;
    }

    @Test
    void failuresOverEveryProtocolBanTheAddressAndFail2banMatchesExactlyTheFailureLines() throws Exception {
        try (SmtpDialog smtp = submission()) {
            assertThat(smtp.authPlain(DIEGO, "wrong-password-1")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            // a user name trying to smuggle another address into the log line
            assertThat(smtp.authPlain("evil ip=10.9.9.9", "wrong-password-2")).startsWith("535 5.7.8");
            assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("235"); // a success clears the address's failures
        }
        try (Pop3Dialog pop3 = new Pop3Dialog(tls, server.pop3sPort())) {
            for (int i = 1; i <= 5; i++) {
                assertThat(pop3.send("USER " + DIEGO)).startsWith("+OK");
                assertThat(pop3.send("PASS wrong-password-" + i)).as("attempt %d", i).isEqualTo("-ERR Authentication failed.");
            }
            assertThat(pop3.send("USER " + DIEGO)).startsWith("+OK");
            assertThat(pop3.send("PASS " + PASSWORD)).isEqualTo("-ERR [SYS/TEMP] Too many failed logins, try again later");
        }
        try (SmtpDialog smtp = submission()) {
            assertThat(smtp.authPlain(DIEGO, PASSWORD)).isEqualTo("454 4.7.0 Too many failed logins, try again later");
        }
        assertThatThrownBy(() -> Clients.imapsInbox(server, DIEGO, PASSWORD)).isInstanceOf(AuthenticationFailedException.class)
            .hasMessageContaining("Too many failed logins");
        assertThat(server.webAdmin("GET", "/bans", null).body()).contains("\"kind\":\"ip\",\"value\":\"127.0.0.1\"");

        assertThat(server.webAdmin("DELETE", "/bans/ip/127.0.0.1", null).statusCode()).isEqualTo(204);
        try (Pop3Dialog pop3 = new Pop3Dialog(tls, server.pop3sPort())) {
            assertThat(pop3.send("USER " + DIEGO)).startsWith("+OK");
            assertThat(pop3.send("PASS " + PASSWORD)).startsWith("+OK");
        }
        assertThat(Clients.imapsInbox(server, DIEGO, PASSWORD)).isNotNull();

        Path log = server.home().resolve("var/log/mailpack.log");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("mailpack auth ban lifted"));
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> failures = lines.stream().filter(line -> line.contains("mailpack auth failure:")).collect(Collectors.toList());
        assertThat(failures).hasSize(7)
            .anySatisfy(line -> assertThat(line).endsWith(" - mailpack auth failure: protocol=smtp ip=127.0.0.1 user=evil?ip=10.9.9.9"))
            .anySatisfy(line -> assertThat(line).endsWith(" - mailpack auth failure: protocol=pop3 ip=127.0.0.1 user=" + DIEGO));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("mailpack auth ban: ip=127.0.0.1 seconds=900 "))
            .anySatisfy(line -> assertThat(line).contains("mailpack auth refused: protocol=smtp ip=127.0.0.1"));

        Peers.require("/usr/bin/fail2ban-regex", "fail2ban");
        Peers.Result addresses = Peers.run(List.of("/usr/bin/fail2ban-regex", "--out", "ip", log.toString(), FILTER.toAbsolutePath().toString()), null, 60);
        assertThat(addresses.exitCode()).as(addresses.output()).isZero();
        assertThat(addresses.output().lines().collect(Collectors.toList())).as("one address per failure line, never the smuggled one")
            .hasSize(7).containsOnly("127.0.0.1");
        Peers.Result summary = Peers.run(List.of("/usr/bin/fail2ban-regex", "--print-no-missed", log.toString(), FILTER.toAbsolutePath().toString()), null, 60);
        // every other line of the log (greetings, bans, refusals, the lifted ban...) is missed
        assertThat(summary.output()).containsPattern("Lines: \\d+ lines, 0 ignored, 7 matched, \\d+ missed");
    }

    /** A minimal POP3 client over implicit TLS that hands back the server's exact one-line replies. */
    static final class Pop3Dialog implements Closeable {
        private final SSLSocket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Pop3Dialog(SSLContext tls, int port) throws IOException {
            socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
            String greeting = in.readLine();
            if (greeting == null || !greeting.startsWith("+OK")) {
                throw new IOException("POP3 greeting: " + greeting);
            }
        }

        String send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String reply = in.readLine();
            if (reply == null) {
                throw new IOException("connection closed after " + Arrays.asList(line.split(" ")).get(0));
            }
            return reply;
        }

        @Override
        public void close() throws IOException {
            try {
                send("QUIT");
            } catch (IOException ignored) {
                // already closed
            } finally {
                socket.close();
            }
        }
    }
}
