package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS 1.2 and 1.3 only, checked with OpenSSL as the client. The server JVM runs with the JDK's own
 * ban on TLS 1.0/1.1 lifted, so what refuses TLS 1.1 here is mailpack's configuration. Clients may
 * not renegotiate (OpenSSL's {@code R}, testssl {@code -R}).
 */
class TlsIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "hostile-input-passphrase-0001";
    static Path permissiveJdkSecurity;

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process()
        .jvmOption("-Djava.security.properties=" + permissiveJdkSecurity());

    static String permissiveJdkSecurity() {
        try {
            permissiveJdkSecurity = Files.createTempFile("java-security", ".properties");
            Files.writeString(permissiveJdkSecurity, "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, NULL, anon\n", StandardCharsets.US_ASCII);
            return permissiveJdkSecurity.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void opensslIsInstalled() throws Exception {
        assertThat(Path.of("/usr/bin/openssl")).as("openssl is required: apt-get install openssl").exists();
        server.createUser(DIEGO, PASSWORD);
    }

    /** @return openssl's transcript: "New, TLSv1.x, Cipher is ..." on success, "New, (NONE)" on failure */
    static String handshake(String protocolFlag, int port, boolean startTls) throws Exception {
        return handshake(protocolFlag, port, startTls ? "smtp" : null);
    }

    /** @param startTls openssl's -starttls protocol (smtp, imap), or null for implicit TLS */
    static String handshake(String protocolFlag, int port, String startTls) throws Exception {
        return openssl(port, startTls, protocolFlag, "-cipher", "DEFAULT@SECLEVEL=0");
    }

    /** One {@code openssl s_client} handshake with these options, stdin closed; returns its transcript. */
    static String openssl(int port, String startTls, String... options) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/openssl", "s_client"));
        command.addAll(List.of(options));
        command.addAll(List.of("-connect", "127.0.0.1:" + port, "-servername", "localhost"));
        if (startTls != null) {
            command.addAll(List.of("-starttls", startTls));
        }
        Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
        openssl.getOutputStream().close();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"imaps", "smtps", "pop3s", "submission-starttls"})
    void tls11IsRefused(String listener) throws Exception {
        assertThat(handshake("-tls1_1", port(listener), listener.endsWith("starttls")))
            .contains("New, (NONE), Cipher is (NONE)")
            .contains("alert protocol version");
    }

    @ParameterizedTest
    @ValueSource(strings = {"imaps", "smtps", "pop3s", "submission-starttls"})
    void tls12Succeeds(String listener) throws Exception {
        assertThat(handshake("-tls1_2", port(listener), listener.endsWith("starttls"))).contains("New, TLSv1.2, Cipher is ECDHE-");
    }

    @ParameterizedTest
    @ValueSource(strings = {"imaps", "smtps", "pop3s", "submission-starttls"})
    void tls13Succeeds(String listener) throws Exception {
        assertThat(handshake("-tls1_3", port(listener), listener.endsWith("starttls"))).contains("New, TLSv1.3, Cipher is TLS_");
    }

    /**
     * Client-initiated renegotiation (TLS 1.2) costs the server a full handshake each time: refused on
     * every listener, also after STARTTLS, by a fatal alert that closes the connection.
     */
    @Nested
    class ClientInitiatedRenegotiation {
        @ParameterizedTest
        @ValueSource(strings = {"imaps", "smtps", "pop3s", "submission-starttls", "imap-starttls"})
        void opensslsRenegotiationIsRefusedAndTheConnectionClosed(String listener) throws Exception {
            String transcript = renegotiate(listener);

            assertThat(transcript).contains("New, TLSv1.2, Cipher is ECDHE-", "RENEGOTIATING");
            assertThat(transcript.substring(transcript.indexOf("RENEGOTIATING")))
                .contains("alert handshake failure")
                .doesNotContainPattern("(?m)^" + noopReply(listener));
            assertThat(handshake("-tls1_2", port(listener), startTls(listener))).contains("New, TLSv1.2, Cipher is ECDHE-");
            assertAMessageIsDeliveredOnce();
        }

        @ParameterizedTest
        @ValueSource(strings = {"imaps", "smtps", "pop3s", "submission-starttls"})
        void testsslFindsNoClientInitiatedRenegotiation(String listener) throws Exception {
            assertThat(Path.of("/usr/bin/testssl")).as("testssl is required: apt-get install testssl.sh").exists();
            List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/testssl", "--quiet", "--color", "0",
                "--warnings", "batch", "-R"));
            if (listener.endsWith("starttls")) {
                command.addAll(List.of("--starttls", "smtp"));
            }
            command.add("127.0.0.1:" + port(listener));
            Process testssl = new ProcessBuilder(command).redirectErrorStream(true).start();
            testssl.getOutputStream().close();
            String report = new String(testssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(testssl.waitFor(120, TimeUnit.SECONDS)).isTrue();

            assertThat(report).containsPattern("Secure Client-Initiated Renegotiation\\s+not vulnerable \\(OK\\)");
        }
    }

    /**
     * Opens a TLS 1.2 session with openssl, waits for it (and the greeting on implicit TLS), then types
     * {@code R} (renegotiate) and a NOOP. Returns the transcript once openssl has exited, which it does
     * only if the server closed the connection.
     */
    static String renegotiate(String listener) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/openssl", "s_client", "-tls1_2",
            "-connect", "127.0.0.1:" + port(listener), "-servername", "localhost"));
        if (startTls(listener) != null) {
            command.addAll(List.of("-starttls", startTls(listener)));
        }
        Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuffer transcript = new StringBuffer();
        Thread reader = new Thread(() -> copy(openssl.getInputStream(), transcript), "openssl-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            String ready = listener.endsWith("starttls") ? "Extended master secret" : greeting(listener);
            await().atMost(Duration.ofSeconds(30)).until(() -> transcript.toString().contains(ready));
            OutputStream stdin = openssl.getOutputStream();
            stdin.write(("R\n" + noop(listener) + "\n").getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
            assertThat(openssl.waitFor(20, TimeUnit.SECONDS)).as("openssl exited (the server closed the connection): %s", transcript).isTrue();
            reader.join(5_000);
            return transcript.toString();
        } finally {
            openssl.destroyForcibly();
        }
    }

    private static void copy(InputStream from, StringBuffer to) {
        byte[] buffer = new byte[4096];
        try {
            for (int read = from.read(buffer); read >= 0; read = from.read(buffer)) {
                to.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            to.append("\n[read failed: ").append(e).append(']');
        }
    }

    private static String startTls(String listener) {
        return !listener.endsWith("starttls") ? null : listener.startsWith("imap") ? "imap" : "smtp";
    }

    private static String greeting(String listener) {
        return listener.startsWith("imap") ? "* OK" : listener.startsWith("pop3") ? "+OK" : "220 ";
    }

    private static String noop(String listener) {
        return listener.startsWith("imap") ? "a1 NOOP" : "NOOP";
    }

    private static String noopReply(String listener) {
        return listener.startsWith("imap") ? "a1 OK" : listener.startsWith("pop3") ? "\\+OK" : "250[ -]";
    }

    /** What was refused cost nothing else: a normal submission right after is delivered once. */
    static void assertAMessageIsDeliveredOnce() throws Exception {
        SSLContext tls = Clients.trusting(server.certificate());
        String marker = "after-renegotiation-" + UUID.randomUUID();
        try (SmtpDialog smtp = SmtpDialog.connect(server.submissionPort())) {
            smtp.send("EHLO client.example");
            assertThat(smtp.startTls(tls)).startsWith("220");
            smtp.send("EHLO client.example");
            assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("235");
            assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.data(message(DIEGO, DIEGO, "after", marker))).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() ->
            assertThat(imapsInbox(server, DIEGO, PASSWORD)).filteredOn(raw -> raw.contains(marker)).hasSize(1));
    }

    private static int port(String listener) {
        switch (listener) {
            case "imaps":
                return server.imapsPort();
            case "smtps":
                return server.smtpsPort();
            case "pop3s":
                return server.pop3sPort();
            case "imap-starttls":
                return server.imapPort();
            default:
                return server.submissionPort();
        }
    }
}
