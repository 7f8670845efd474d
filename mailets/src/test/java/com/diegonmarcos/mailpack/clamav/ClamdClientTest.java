package com.diegonmarcos.mailpack.clamav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Reply parsing and addresses; scanning against a real clamd is in integration-tests (ClamAvScanIntegrationTest). */
class ClamdClientTest {
    @Test
    void repliesAreClassified() throws IOException {
        assertThat(ClamdClient.parse("stream: OK")).isEqualTo(ClamdResult.clean());
        assertThat(ClamdClient.parse("stream: Eicar-Test-Signature.UNOFFICIAL FOUND"))
            .isEqualTo(ClamdResult.infected("Eicar-Test-Signature.UNOFFICIAL"));
        assertThat(ClamdClient.parse("INSTREAM size limit exceeded. ERROR")).isEqualTo(ClamdResult.tooLarge());
    }

    @Test
    void otherRepliesAreErrorsNotVerdicts() {
        assertThatThrownBy(() -> ClamdClient.parse("stream: lstat() failed: No such file. ERROR")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ClamdClient.parse("UNKNOWN COMMAND")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ClamdClient.parse("")).isInstanceOf(IOException.class);
    }

    @Test
    void addressesAreTcpOrUnix() {
        assertThat(ClamdClient.parseAddress("clamav:3310")).isEqualTo(InetSocketAddress.createUnresolved("clamav", 3310));
        assertThat(ClamdClient.parseAddress("[::1]:3310")).isEqualTo(InetSocketAddress.createUnresolved("::1", 3310));
        assertThat(ClamdClient.parseAddress("unix:/run/clamav/clamd.ctl")).isEqualTo(UnixDomainSocketAddress.of("/run/clamav/clamd.ctl"));
        assertThatThrownBy(() -> ClamdClient.parseAddress("clamav")).hasMessageContaining("expected host:port or unix:/path");
        assertThatThrownBy(() -> ClamdClient.parseAddress("clamav:99999")).hasMessageContaining("port out of range");
        assertThatThrownBy(() -> ClamdClient.parseAddress("unix:")).hasMessageContaining("needs a socket path");
    }

    @Test
    void silentServerIsCutAtTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ClamdClient client = new ClamdClient(new InetSocketAddress("127.0.0.1", silent.getLocalPort()), Duration.ofMillis(300));
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.scan(new ByteArrayInputStream(new byte[10]))).isInstanceOf(IOException.class)
                .hasMessageContaining("no answer within PT0.3S");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void refusedConnectionIsAnError() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ClamdClient client = new ClamdClient(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(2));
        assertThatThrownBy(client::ping).isInstanceOf(IOException.class).hasMessageContaining("clamd at");
    }
}
