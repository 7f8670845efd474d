package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.TestRedis;

/**
 * Two packaged servers (each its own JVM) with {@code MAILPACK_RATELIMIT_STORE=redis} on one real
 * redis-server enforce one limit together; with Redis stopped they let mail through (fail-open) and say so.
 */
class SharedRedisRateLimitIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();
    @RegisterExtension
    static final MailpackTestServer FIRST = MailpackTestServer.process().manualStart().overlay("ratelimits.xml", tenMessagesPerMinute());
    @RegisterExtension
    static final MailpackTestServer SECOND = MailpackTestServer.process().manualStart().overlay("ratelimits.xml", tenMessagesPerMinute());

    static String tenMessagesPerMinute() {
        String shipped = MailpackTestServer.shippedConf("ratelimits.xml");
        String conf = shipped.replace("<messages perMinute=\"30\"/>", "<messages perMinute=\"10\"/>");
        if (conf.equals(shipped)) {
            throw new IllegalStateException("conf/ratelimits.xml no longer has <messages perMinute=\"30\"/> in <inbound>");
        }
        return conf;
    }

    @BeforeAll
    static void startBothOnOneRedis() throws Exception {
        for (MailpackTestServer server : new MailpackTestServer[] {FIRST, SECOND}) {
            server.variable("MAILPACK_RATELIMIT_STORE", "redis").variable("MAILPACK_REDIS_URI", REDIS.uri());
            server.start();
            server.createUser(DIEGO, "correct-horse-battery-staple");
        }
    }

    @AfterAll
    static void redisBackUp() throws IOException {
        REDIS.start();
    }

    private static String send(MailpackTestServer server, int number) throws IOException {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO sender.example");
            String mail = smtp.send("MAIL FROM:<someone@sender.example>");
            if (!mail.startsWith("250")) {
                return mail;
            }
            String recipient = "diego+s" + number + "@diegonmarcos.com";
            assertThat(smtp.send("RCPT TO:<" + recipient + ">")).startsWith("250");
            return smtp.data(message("someone@sender.example", recipient, "shared " + number, "hello"));
        }
    }

    @Test
    void twoServersSharingOneRedisEnforceOneLimitAndFailOpenWhenItIsDown() throws Exception {
        REDIS.flushAll();
        for (int i = 1; i <= 6; i++) {
            assertThat(send(FIRST, i)).as("message %d through the first server", i).startsWith("250");
        }
        for (int i = 7; i <= 10; i++) {
            assertThat(send(SECOND, i)).as("message %d through the second server", i).startsWith("250");
        }
        String limited = "451 4.7.1 Rate limit reached: at most 10 messages per minute from your address, try again later";
        assertThat(send(FIRST, 11)).isEqualTo(limited);
        assertThat(send(SECOND, 12)).isEqualTo(limited);
        assertThat(REDIS.cli("KEYS", "mailpack:ratelimit:ip-messages:*")).contains("mailpack:ratelimit:ip-messages:127.0.0.1|10/60s");

        REDIS.stop();
        assertThat(send(FIRST, 13)).startsWith("250");
        assertThat(FIRST.processLog()).contains("Rate-limit store redis failed", "limits are NOT enforced (fail-open)");
    }
}
