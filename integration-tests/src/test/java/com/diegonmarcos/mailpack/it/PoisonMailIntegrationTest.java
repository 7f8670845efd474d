package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A mail whose processing keeps failing, in the packaged server with the shipped conf and
 * {@code -XX:+ExitOnOutOfMemoryError}: it is tried {@code MAILPACK_MAX_PROCESSING_ATTEMPTS} (3)
 * times, then moved to {@code file://var/mail/poison/}, logged once at ERROR and reported by
 * {@code /healthcheck}; the server stays up and delivers the next mail once. The failure is made by
 * a test-only mailet ({@link FailsOnDemand}) added at the top of "root": a real heap exhaustion,
 * a real stack overflow.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoisonMailIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "correct-horse-battery-staple";
    static final String POISON = "/mailRepositories/var%2Fmail%2Fpoison/mails";
    static final Pattern POISON_LINE = Pattern.compile("(?m)^.*ERROR.*Poison mail (\\S+) .*$");

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process()
        .jvmOption("-XX:+ExitOnOutOfMemoryError") // as bin/mailpack runs it
        .overlay("mailetcontainer.xml", failingOnDemand());

    static String failingOnDemand() {
        String shipped = MailpackTestServer.shippedConf("mailetcontainer.xml");
        String failing = shipped.replace("<processor state=\"root\" enableJmx=\"false\">",
            "<processor state=\"root\" enableJmx=\"false\">\n"
                + "            <mailet match=\"All\" class=\"" + FailsOnDemand.class.getName() + "\"/>");
        if (failing.equals(shipped)) {
            throw new IllegalStateException("conf/mailetcontainer.xml has no root processor");
        }
        return failing;
    }

    static void send(String marker, String failure) throws Exception {
        String message = message("alice@example.org", DIEGO, "poison", marker);
        if (failure != null) {
            message = FailsOnDemand.HEADER + ": " + failure + "\r\n" + message;
        }
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.data(message)).startsWith("250");
        }
    }

    static List<String> poisonLines() throws Exception {
        Matcher lines = POISON_LINE.matcher(server.processLog());
        return lines.results().map(match -> match.group()).toList();
    }

    static List<String> poisonedMails() throws Exception {
        HttpResponse<String> response = server.webAdmin("GET", POISON, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> keys = new java.util.ArrayList<>();
        new ObjectMapper().readTree(response.body()).forEach(key -> keys.add(key.asText()));
        return keys;
    }

    static JsonNode health() throws Exception {
        HttpResponse<String> response = server.webAdmin("GET", "/healthcheck/checks/poison-mail", null);
        return new ObjectMapper().readTree(response.body());
    }

    /** A normal message after the poison one: delivered, exactly once. */
    static void aNormalMailIsDeliveredOnce() throws Exception {
        String marker = "normal-" + UUID.randomUUID();
        send(marker, null);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(imapsInbox(server, DIEGO, PASSWORD)).filteredOn(raw -> raw.contains(marker)).hasSize(1));
    }

    static long processLogCount(String text) throws Exception {
        return Pattern.compile(Pattern.quote(text)).matcher(server.processLog()).results().count();
    }

    @Test
    @Order(1)
    void aMailThatKillsTheJvmIsTriedThreeTimesThenPutAside() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        assertThat(health().get("status").asText()).isEqualTo("healthy");
        String marker = "heap-" + UUID.randomUUID();

        send(marker, "heap");
        int exits = 0;
        assertThat(server.awaitExit(Duration.ofSeconds(60))).isNotZero();
        exits++;
        while (exits < 6) { // without a bound, this is a crash loop: 6 is a failure
            try {
                server.start();
            } catch (IllegalStateException exitedWhileStarting) {
                exits++;
                continue;
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !server.isAlive() || !poisonLines().isEmpty());
            if (server.isAlive()) {
                break;
            }
            server.awaitExit(Duration.ofSeconds(10));
            exits++;
        }

        assertThat(exits).as("JVM exits before the mail was put aside").isEqualTo(3);
        assertThat(processLogCount("Terminating due to java.lang.OutOfMemoryError")).isEqualTo(3);
        List<String> poisoned = poisonedMails();
        assertThat(poisoned).hasSize(1);
        assertThat(poisonLines()).singleElement().satisfies(line -> assertThat(line).contains(
            "Poison mail " + poisoned.get(0) + " from <alice@example.org> to 1 recipient(s), ",
            "processing failed 3 times, last error: the server process ended while processing it",
            "Moved to file://var/mail/poison", POISON));
        HttpResponse<String> content = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.webAdminUrl() + POISON + "/" + poisoned.get(0)))
            .header("Authorization", "Bearer " + server.adminToken()).header("Accept", "message/rfc822").build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(content.body()).contains(marker, FailsOnDemand.HEADER + ": heap");
        assertThat(server.webAdmin("GET", "/mailRepositories", null).body()).contains("var/mail/poison");

        JsonNode health = health();
        assertThat(health.get("status").asText()).isEqualTo("degraded");
        assertThat(health.get("cause").asText()).startsWith("1 mail(s) failed processing 3 times and wait in file://var/mail/poison");
        assertThat(server.webAdmin("GET", "/healthcheck", null).body()).startsWith("{\"status\":\"degraded\"");
        try (var counts = Files.list(server.home().resolve("var/store/spool-attempts"))) {
            assertThat(counts).isEmpty();
        }

        aNormalMailIsDeliveredOnce();
        assertThat(imapsInbox(server, DIEGO, PASSWORD)).noneSatisfy(raw -> assertThat(raw).contains(marker));
    }

    @Test
    @Order(2)
    void aMailetErrorIsRetriedThreeTimesThenPutAsideWithoutARestart() throws Exception {
        long pid = server.pid();
        String marker = "stack-" + UUID.randomUUID();

        send(marker, "stack");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> poisonLines().size() == 2);
        assertThat(server.pid()).isEqualTo(pid);
        assertThat(server.isAlive()).isTrue();
        assertThat(poisonLines().get(1)).contains("processing failed 3 times, last error: ",
            "java.lang.StackOverflowError");
        assertThat(poisonedMails()).hasSize(2);
        assertThat(health().get("cause").asText()).startsWith("2 mail(s) failed processing 3 times");

        aNormalMailIsDeliveredOnce();
        assertThat(imapsInbox(server, DIEGO, PASSWORD)).noneSatisfy(raw -> assertThat(raw).contains(marker));
    }

    @Test
    @Order(3)
    void theHealthCheckRecoversOnceTheAdminEmptiedThePoisonRepository() throws Exception {
        assertThat(server.webAdmin("DELETE", POISON, null).statusCode()).isEqualTo(201); // a clearing task

        await().atMost(Duration.ofSeconds(30)).until(() -> poisonedMails().isEmpty());
        assertThat(health().get("status").asText()).isEqualTo("healthy");
        aNormalMailIsDeliveredOnce();
    }

}
