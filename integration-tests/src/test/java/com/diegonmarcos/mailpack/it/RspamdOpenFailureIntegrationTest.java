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
 * rspamd unavailable with {@code onFailure=fail-open}: stopped (connection refused), then wedged (a fake
 * on its port that never answers: the 2 s timeout applies). Every message ends up delivered exactly once.
 */
class RspamdOpenFailureIntegrationTest {
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
        .variable("MAILPACK_RSPAMD_ON_FAILURE", "fail-open");

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
    void rspamdStoppedMailIsDeliveredMarkedUnscanned() throws Exception {
        String marker = "rspamd-down-" + UUID.randomUUID();
        rspamd.stop();
        try {
            assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "hello", marker))).startsWith("250");
            var health = server.webAdmin("GET", "/healthcheck/checks/rspamd", null);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("degraded");
        } finally {
            rspamd.start();
        }
        assertThat(awaitInInbox(marker)).containsPattern("(?m)^X-Spam-Status: unscanned \\(spam filter unavailable\\)\r?$");
        assertThat(copies(marker)).isEqualTo(1);
    }

    @Test
    void rspamdAnsweringTooSlowlyIsCutAtTheTimeoutAndMailIsDeliveredUnscanned() throws Exception {
        String marker = "rspamd-slow-" + UUID.randomUUID();
        rspamd.stop();
        long took;
        try (SlowHttpServer slow = new SlowHttpServer(rspamd.port())) {
            long start = System.nanoTime();
            assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "hello", marker))).startsWith("250");
            took = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(slow.requests()).isEqualTo(1);
        } finally {
            rspamd.start();
        }
        assertThat(took).isBetween(2_000L, 15_000L);
        assertThat(awaitInInbox(marker)).contains("X-Spam-Status: unscanned (spam filter unavailable)");
    }

    @Test
    void rspamdBackMailIsScannedAgain() throws Exception {
        String marker = "rspamd-back-" + UUID.randomUUID();
        assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, "hello", marker))).startsWith("250");
        assertThat(awaitInInbox(marker)).contains("X-Spam-Score: ").doesNotContain("unscanned");
    }
}
