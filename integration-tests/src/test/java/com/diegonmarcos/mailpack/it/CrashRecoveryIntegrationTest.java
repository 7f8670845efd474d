package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the next start makes of what a {@code kill -9} of the packaged server leaves behind. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRecoveryIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "correct-horse-battery-staple";

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process();

    @BeforeAll
    static void createUser() throws Exception {
        server.createUser(DIEGO, PASSWORD);
    }

    static void send(String subject, String body) throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.data(message("alice@example.org", DIEGO, subject, body))).startsWith("250");
        }
    }

    static long copiesOf(String marker) throws Exception {
        return imapsInbox(server, DIEGO, PASSWORD).stream().filter(raw -> raw.contains(marker)).count();
    }

    @Test
    @Order(2)
    void aMessageTheSearchIndexLacksIsFoundBySearchAfterTheNextStart() throws Exception {
        String word = "wombat" + UUID.randomUUID().toString().replace("-", "");
        String body = "unindexed-" + UUID.randomUUID();
        send("unindexed", body + "\r\nhello " + word + " world");
        await().atMost(Duration.ofSeconds(60)).until(() -> copiesOf(body) == 1);
        server.stop();
        // the store has the message, the index none of its documents (a kill before the index committed)
        Path index = server.home().resolve("var/store/lucene");
        try (Stream<Path> files = Files.list(index)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }

        server.start();

        assertThat(Clients.imapsSearchBody(server, DIEGO, PASSWORD, word))
            .singleElement().satisfies(raw -> assertThat(raw).contains(body));
    }
}
