package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static com.diegonmarcos.mailpack.it.TlsIntegrationTest.openssl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failed TLS handshakes with the shipped conf/logback.xml: one short WARN line each (client, listener,
 * reason), no stack trace, at most 10 a minute per listener; the server goes on serving TLS clients.
 * A process, so that the server logs through conf/logback.xml as it does in production.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsHandshakeLogIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "handshake-log-passphrase-0001";
    static final String FILTER = "c.d.m.l.TlsFailureLogFilter - ";
    static final Pattern FAILURE_LINE = Pattern.compile("(?m)^\\S+ WARN +\\[[^\\]]+\\] " + Pattern.quote(FILTER) + "TLS (handshake failed|error): .*$");

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process();

    @BeforeAll
    static void user() throws Exception {
        server.createUser(DIEGO, PASSWORD);
    }

    /** Plaintext on a TLS port; returns when the server has closed the connection. */
    static int plaintext(int port, String line) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // a TLS alert, perhaps, then the end
            }
            return socket.getLocalPort();
        }
    }

    static String logSince(int offset) throws IOException {
        return server.processLog().substring(offset);
    }

    static List<String> failureLines(String log) {
        List<String> lines = new ArrayList<>();
        Matcher matcher = FAILURE_LINE.matcher(log);
        while (matcher.find()) {
            lines.add(matcher.group());
        }
        return lines;
    }

    static void assertNoStackTraceNorError(String log) {
        assertThat(log).doesNotContain("\n\tat ", "Wrapped by:", "Caused by:");
        assertThat(log).doesNotContainPattern("(?m)^\\S+ ERROR ");
    }

    @Test
    @Order(1)
    void eachBadHandshakeIsOneShortWarnLineNamingClientListenerAndReason() throws Exception {
        int offset = server.processLog().length();

        plaintext(server.imapsPort(), "a1 CAPABILITY");
        assertThat(openssl(server.smtpsPort(), null, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0")).contains("New, (NONE)");
        assertThat(openssl(server.smtpPort(), "smtp", "-tls1_2", "-cipher", "AES128-SHA")).contains("New, (NONE)");
        assertThat(openssl(server.submissionPort(), "smtp", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")).contains("New, (NONE)");
        assertThat(openssl(server.imapPort(), "imap", "-tls1_2", "-cipher", "AES256-SHA256")).contains("New, (NONE)");

        // the JDK words its reason differently across 17.0.x updates ("(protocol_version) " or "Client
        // requested protocol TLSv1 is not enabled ..."): the listener exactly, the reason by what it must name
        java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("TLS handshake failed: client 127.0.0.1, listener imaps: ", "not a TLS record, plaintext on a TLS port\\? \"a1 CAPAB\"\\.\\.\\.");
        expected.put("TLS handshake failed: client 127.0.0.1, listener smtp-submissions: ", ".*protocol.*");
        expected.put("TLS handshake failed: client 127.0.0.1, listener smtp-inbound: ", ".*no cipher suites in common");
        expected.put("TLS handshake failed: client 127.0.0.1, listener smtp-submission: ", ".*protocol.*");
        expected.put("TLS handshake failed: client 127.0.0.1, listener imap: ", ".*no cipher suites in common");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
            assertThat(failureLines(logSince(offset))).hasSize(expected.size()));
        List<String> lines = failureLines(logSince(offset));
        expected.forEach((start, reason) -> assertThat(lines).as("one line starting %s with a reason matching %s among %s", start, reason, lines)
            .filteredOn(line -> line.contains(FILTER + start) && line.substring(line.indexOf(FILTER + start) + (FILTER + start).length()).matches(reason))
            .hasSize(1));
        assertThat(lines).allSatisfy(line -> assertThat(line).hasSizeLessThan(300));
        assertNoStackTraceNorError(logSince(offset));
    }

    /** POP3S had no failure before, so its first minute starts here. */
    @Test
    @Order(2)
    void aBurstOnOneListenerIsLoggedTenTimesThenCounted() throws Exception {
        int offset = server.processLog().length();
        List<Integer> clientPorts = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            clientPorts.add(plaintext(server.pop3sPort(), "USER diego"));
        }
        // James logs "Connection closed for [name]/127.0.0.1:<port>" after the failure: then all 15 are handled
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
            assertThat(logSince(offset)).contains(clientPorts.stream().map(port -> "/127.0.0.1:" + port + "\n").toArray(String[]::new)));

        String log = logSince(offset);
        assertThat(failureLines(log)).hasSize(10).allSatisfy(line -> assertThat(line)
            .endsWith(FILTER + "TLS handshake failed: client 127.0.0.1, listener pop3s: not a TLS record, plaintext on a TLS port? \"USER die\"..."));
        assertThat(log).containsOnlyOnce(FILTER + "TLS failures: more than 10 a minute on listener pop3s; counting the next ones until ");
        assertNoStackTraceNorError(log);
    }

    @Test
    @Order(3)
    void theServerStillServesTlsClientsAndDeliversOnce() throws Exception {
        for (int port : List.of(server.imapsPort(), server.smtpsPort(), server.pop3sPort())) {
            assertThat(openssl(port, null, "-tls1_2")).contains("New, TLSv1.2, Cipher is ECDHE-");
        }
        SSLContext tls = Clients.trusting(server.certificate());
        String marker = "after-bad-handshakes-" + UUID.randomUUID();
        try (SmtpDialog smtp = SmtpDialog.connectTls(server.smtpsPort(), tls)) {
            smtp.send("EHLO client.example");
            assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("235");
            assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.data(message(DIEGO, DIEGO, "after", marker))).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() ->
            assertThat(imapsInbox(server, DIEGO, PASSWORD)).filteredOn(raw -> raw.contains(marker)).hasSize(1));
    }
}
