package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.ScanClients.sendInbound;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.TestClamd;

/** The other ClamAV choices: infected mail quarantined (accepted, kept, never delivered); clamd down with fail-open. */
class ClamAvQuarantineIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "clamav-test-passphrase-0002";
    static final String QUARANTINE = URLEncoder.encode("var/mail/quarantine/", StandardCharsets.UTF_8);

    @RegisterExtension
    @Order(1)
    static TestClamd clamd = TestClamd.create();

    @RegisterExtension
    @Order(2)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_CLAMD_ADDRESS", clamd.address())
        .variable("MAILPACK_CLAMD_ON_INFECTED", "quarantine")
        .variable("MAILPACK_CLAMD_ON_FAILURE", "fail-open");

    @BeforeAll
    static void users() throws Exception {
        server.createUser(DIEGO, PASSWORD);
    }

    static long quarantined() throws Exception {
        var response = server.webAdmin("GET", "/mailRepositories/" + QUARANTINE, null);
        if (response.statusCode() == 404) {
            return 0;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        java.util.regex.Matcher size = java.util.regex.Pattern.compile("\"size\":(\\d+)").matcher(response.body());
        assertThat(size.find()).as(response.body()).isTrue();
        return Long.parseLong(size.group(1));
    }

    static String awaitInInbox(String marker) {
        return ScanClients.awaitIn(server, DIEGO, PASSWORD, "INBOX", marker, Duration.ofSeconds(30));
    }

    @Test
    void infectedMailIsAcceptedIntoTheQuarantineAndNotDelivered() throws Exception {
        long before = quarantined();
        String marker = "quarantine-" + UUID.randomUUID();
        String message = ClamAvScanIntegrationTest.withAttachment(marker, "eicar.com", "application/octet-stream",
            TestClamd.EICAR.getBytes(StandardCharsets.US_ASCII)).replace("To: " + ClamAvScanIntegrationTest.DIEGO, "To: " + DIEGO);
        assertThat(sendInbound(server, DIEGO, message)).startsWith("250");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(ClamAvQuarantineIntegrationTest::quarantined, n -> n == before + 1);

        String after = "after-" + UUID.randomUUID();
        assertThat(sendInbound(server, DIEGO, Clients.message("alice@example.org", DIEGO, "after", after))).startsWith("250");
        awaitInInbox(after);
        assertThat(ScanClients.folder(server, DIEGO, PASSWORD, "INBOX")).noneSatisfy(raw -> assertThat(raw).contains(marker));
    }

    @Test
    void clamdDownWithFailOpenDeliversMarkedUnscanned() throws Exception {
        String marker = "unscanned-" + UUID.randomUUID();
        clamd.stop();
        try {
            assertThat(sendInbound(server, DIEGO, Clients.message("alice@example.org", DIEGO, "while down", marker))).startsWith("250");
            var health = server.webAdmin("GET", "/healthcheck/checks/clamd", null);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("degraded");
        } finally {
            clamd.start();
        }
        assertThat(awaitInInbox(marker)).containsPattern("(?m)^X-Virus-Status: unscanned \\(scanner unavailable\\)\r?$");
    }
}
