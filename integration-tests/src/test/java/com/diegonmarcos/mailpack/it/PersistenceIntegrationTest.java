package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The packaged server in its own JVM, stopped, restarted and killed like a real one. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PersistenceIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "correct-horse-battery-staple";

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process();

    static void send(String to, String marker) throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + to + ">")).startsWith("250");
            assertThat(smtp.data(message("alice@example.org", to, "persist", marker))).startsWith("250");
        }
    }

    static void awaitInInbox(String marker) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(imapsInbox(server, DIEGO, PASSWORD)).anySatisfy(raw -> assertThat(raw).contains(marker)));
    }

    @Test
    @Order(0)
    void listensOnItsConfiguredPortsOnly() throws Exception {
        // no unauthenticated side door such as the mail queue broker's OpenWire port on localhost
        assertThat(ListeningSockets.tcpPortsOf(server.pid())).containsExactlyInAnyOrderElementsOf(server.configuredPorts());
    }

    @Test
    @Order(1)
    void mailUsersAndDomainsSurviveARestart() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        assertThat(server.webAdmin("PUT", "/domains/second.example", null).statusCode()).isEqualTo(204);
        String marker = "before-restart-" + UUID.randomUUID();
        send(DIEGO, marker);
        awaitInInbox(marker);

        server.restart();

        assertThat(imapsInbox(server, DIEGO, PASSWORD)).anySatisfy(raw -> assertThat(raw).contains(marker));
        assertThat(server.webAdmin("GET", "/users", null).body()).contains(DIEGO);
        assertThat(server.webAdmin("GET", "/domains", null).body()).contains("diegonmarcos.com", "second.example");
    }

    @Test
    @Order(2)
    void mailAcceptedThenKilledBeforeDeliveryIsDeliveredAfterRestart() throws Exception {
        Path marker = server.home().resolve("stalled.marker");
        String shipped = MailpackTestServer.shippedConf("mailetcontainer.xml");
        String stalling = shipped.replace("<processor state=\"root\" enableJmx=\"false\">",
            "<processor state=\"root\" enableJmx=\"false\">\n"
                + "<mailet match=\"All\" class=\"" + StallUntilKilled.class.getName() + "\"><marker>" + marker + "</marker></mailet>");
        assertThat(stalling).isNotEqualTo(shipped);
        server.rewriteConf("mailetcontainer.xml", stalling);
        server.restart();

        String body = "killed-" + UUID.randomUUID();
        send(DIEGO, body);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(marker));
        assertThat(imapsInbox(server, DIEGO, PASSWORD)).noneSatisfy(raw -> assertThat(raw).contains(body));

        server.kill();
        server.rewriteConf("mailetcontainer.xml", shipped);
        server.start();

        awaitInInbox(body);
        assertThat(imapsInbox(server, DIEGO, PASSWORD)).filteredOn(raw -> raw.contains(body)).hasSize(1);
    }

    @Test
    @Order(3)
    void searchIndexSurvivesAKill() throws Exception {
        String word = "quokka" + UUID.randomUUID().toString().replace("-", "");
        String marker = "indexed-" + UUID.randomUUID();
        long before = newestIndexCommit();
        send(DIEGO, marker + "\r\nhello " + word + " world");
        awaitInInbox(marker);
        assertThat(Clients.imapsSearchBody(server, DIEGO, PASSWORD, word)).hasSize(1);
        // the index commits periodically: wait for a commit made after the delivery, then pull the plug
        await().atMost(Duration.ofSeconds(30)).until(() -> newestIndexCommit() > before);

        server.kill();
        server.start();

        assertThat(Clients.imapsSearchBody(server, DIEGO, PASSWORD, word))
            .singleElement().satisfies(raw -> assertThat(raw).contains(marker));
    }

    /** Generation of the newest Lucene commit point ({@code segments_N}, N in base 36). */
    static long newestIndexCommit() throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.list(server.home().resolve("var/store/lucene"))) {
            return files.map(path -> path.getFileName().toString())
                .filter(name -> name.startsWith("segments_"))
                .mapToLong(name -> Long.parseLong(name.substring("segments_".length()), Character.MAX_RADIX))
                .max().orElse(0);
        }
    }
}
