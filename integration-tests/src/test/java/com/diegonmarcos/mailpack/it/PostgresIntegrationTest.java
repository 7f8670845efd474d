package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.TestPostgres;

/**
 * PostgreSQL selected by {@code MAILPACK_DATABASE=postgresql} with the shipped
 * conf/james-database-postgresql.properties (as the compose stack does) instead of the embedded Derby.
 */
class PostgresIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "postgres-test-passphrase-01";

    @RegisterExtension
    @Order(1)
    static TestPostgres postgres = new TestPostgres();

    @RegisterExtension
    @Order(2)
    static MailpackTestServer server = MailpackTestServer.process().manualStart();

    @Test
    void mailUsersAndDomainsLiveInPostgresAndSurviveARestart() throws Exception {
        server.variable("MAILPACK_DATABASE", "postgresql")
            .variable("MAILPACK_DB_PORT", String.valueOf(postgres.port()))
            .variable("MAILPACK_DB_PASSWORD", "trust-authentication-ignores-it");
        server.start();
        assertThat(server.processLog()).contains("Database: " + postgres.jdbcUrl() + " (conf/james-database-postgresql.properties");
        server.createUser(DIEGO, PASSWORD);
        String marker = "pg-" + UUID.randomUUID();
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            smtp.send("MAIL FROM:<alice@example.org>");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.data(message("alice@example.org", DIEGO, "pg", marker))).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(imapsInbox(server, DIEGO, PASSWORD)).anySatisfy(raw -> assertThat(raw).contains(marker)));

        server.restart();

        assertThat(imapsInbox(server, DIEGO, PASSWORD)).anySatisfy(raw -> assertThat(raw).contains(marker));
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), TestPostgres.USER, "");
             ResultSet users = connection.createStatement().executeQuery("SELECT count(*) FROM james_user WHERE user_name = '" + DIEGO + "'");
             ResultSet domains = connection.createStatement().executeQuery("SELECT count(*) FROM james_domain WHERE domain_name = 'diegonmarcos.com'");
             ResultSet unseenIndex = connection.createStatement().executeQuery(
                 "SELECT indexdef FROM pg_indexes WHERE tablename = 'james_mail' AND indexname = 'mailpack_mail_unseen'")) {
            assertThat(users.next() && users.getInt(1) == 1).isTrue();
            assertThat(domains.next() && domains.getInt(1) == 1).isTrue();
            assertThat(unseenIndex.next()).as("mailpack's index of unseen messages per mailbox").isTrue();
            assertThat(unseenIndex.getString(1)).contains("(mailbox_id, mail_is_seen)");
        }
        assertThat(Files.exists(server.home().resolve("var/store/derby"))).as("no Derby database created").isFalse();
    }
}
