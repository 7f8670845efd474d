package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.ScanClients.sendInbound;
import static com.diegonmarcos.mailpack.it.ScanClients.wordyMessage;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.TestRspamd;

/**
 * rspamd unavailable with {@code onFailure=fail-closed}: stopped (connection refused), then wedged (a fake
 * on its port that never answers: the 2 s timeout applies). Every message ends up delivered exactly once.
 */
class RspamdClosedFailureIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "rspamd-failure-passphrase-01";

    @RegisterExtension
    @Order(1)
    static TestRspamd rspamd = TestRspamd.create();

    @RegisterExtension
    @Order(2)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_RSPAMD_URL", rspamd.url())
        .variable("MAILPACK_RSPAMD_TIMEOUT", "2s")
        .variable("MAILPACK_RSPAMD_ON_FAILURE", "fail-closed");

    @BeforeAll
    static void users() throws Exception {
        server.createUser(DIEGO, PASSWORD);
    }

    static String awaitInInbox(String marker) {
        return ScanClients.awaitIn(server, DIEGO, PASSWORD, "INBOX", marker, Duration.ofSeconds(30));
    }

    static long copies(String marker) {
        return ScanClients.copies(server, DIEGO, PASSWORD, "INBOX", marker);
    }

    @Test
    void rspamdStoppedMailIsDeferredWith451AndDeliveredWhenResent() throws Exception {
        String marker = "rspamd-down-" + UUID.randomUUID();
        String message = wordyMessage("alice@example.org", DIEGO, "hello", marker);
        rspamd.stop();
        try {
            assertThat(sendInbound(server, DIEGO, message)).startsWith("451 4.3.0");
            var health = server.webAdmin("GET", "/healthcheck/checks/rspamd", null);
            assertThat(health.statusCode()).isEqualTo(503);
        } finally {
            rspamd.start();
        }
        assertThat(sendInbound(server, DIEGO, message)).startsWith("250");
        assertThat(awaitInInbox(marker)).contains("X-Spam-Score: ");
        assertThat(copies(marker)).isEqualTo(1);
    }

    @Test
    void rspamdAnsweringTooSlowlyIsCutAtTheTimeoutWith451() throws Exception {
        String marker = "rspamd-slow-" + UUID.randomUUID();
        String message = wordyMessage("alice@example.org", DIEGO, "hello", marker);
        rspamd.stop();
        long took;
        try (SlowHttpServer slow = new SlowHttpServer(rspamd.port())) {
            long start = System.nanoTime();
            assertThat(sendInbound(server, DIEGO, message)).startsWith("451 4.3.0");
            took = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(slow.requests()).isEqualTo(1);
        } finally {
            rspamd.start();
        }
        assertThat(took).isBetween(2_000L, 15_000L);
        assertThat(sendInbound(server, DIEGO, message)).startsWith("250");
        awaitInInbox(marker);
        assertThat(copies(marker)).isEqualTo(1);
    }
}
