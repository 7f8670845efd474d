package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS 1.2 and 1.3 only, checked with OpenSSL as the client. The server JVM runs with the JDK's own
 * ban on TLS 1.0/1.1 lifted, so what refuses TLS 1.1 here is mailpack's configuration.
 */
class TlsIntegrationTest {
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
    static void opensslIsInstalled() {
        assertThat(Path.of("/usr/bin/openssl")).as("openssl is required: apt-get install openssl").exists();
    }

    /** @return openssl's transcript: "New, TLSv1.x, Cipher is ..." on success, "New, (NONE)" on failure */
    static String handshake(String protocolFlag, int port, boolean startTls) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/openssl", "s_client", protocolFlag,
            "-cipher", "DEFAULT@SECLEVEL=0", "-connect", "127.0.0.1:" + port, "-servername", "localhost"));
        if (startTls) {
            command.addAll(List.of("-starttls", "smtp"));
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

    private static int port(String listener) {
        switch (listener) {
            case "imaps":
                return server.imapsPort();
            case "smtps":
                return server.smtpsPort();
            case "pop3s":
                return server.pop3sPort();
            default:
                return server.submissionPort();
        }
    }
}
