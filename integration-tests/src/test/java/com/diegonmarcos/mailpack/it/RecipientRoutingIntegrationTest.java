package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsFolder;
import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Catch-all, aliases, subaddressing, RCPT-time checks and the password policy, over real SMTP and IMAP. */
class RecipientRoutingIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String CATCHER = "catcher@diegonmarcos.com";
    static final String PASSWORD = "routing-test-passphrase-0001";

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .overlay("recipients.xml", MailpackTestServer.shippedConf("recipients.xml")
            .replace("deliverToFolder=\"false\"", "deliverToFolder=\"true\"")
            .replace("<!-- <exclude>sales</exclude> -->", "<exclude>sales</exclude>"));

    @BeforeAll
    static void users() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        server.createUser(CATCHER, PASSWORD);
        assertThat(server.webAdmin("PUT", "/domains/second.example", null).statusCode()).isEqualTo(204);
        server.createUser("bob@second.example", PASSWORD);
        Clients.imapsCreateFolder(server, DIEGO, PASSWORD, "news");
    }

    /** Sends one message on port 25; returns the reply to each RCPT, then DATA's (or "no DATA"). */
    static List<String> send(String marker, String... recipients) throws Exception {
        List<String> replies = new java.util.ArrayList<>();
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
            boolean any = false;
            for (String recipient : recipients) {
                String reply = smtp.send("RCPT TO:<" + recipient + ">");
                replies.add(reply);
                any |= reply.startsWith("250");
            }
            replies.add(any ? smtp.data(message("alice@example.org", recipients[0], "routing", marker)) : "no DATA");
        }
        return replies;
    }

    static void awaitIn(String user, String folder, String marker) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
            assertThat(imapsFolder(server, user, PASSWORD, folder)).anySatisfy(raw -> assertThat(raw).contains(marker)));
    }

    static long copies(String user, String folder, String marker) throws Exception {
        return imapsFolder(server, user, PASSWORD, folder).stream().filter(raw -> raw.contains(marker)).count();
    }

    /**
     * {@code abuse@} is a shipped alias of diego@ (conf/aliases.properties). The operator removes it and
     * makes abuse@ a user: a restart used to create the alias again, and abuse@'s mail went to diego@.
     */
    @Test
    void aShippedAliasTheOperatorReplacedByAUserStaysAUserAfterARestart() throws Exception {
        String abuse = "abuse@diegonmarcos.com";
        assertThat(server.webAdmin("DELETE", "/address/aliases/" + DIEGO + "/sources/" + abuse, null).statusCode()).isEqualTo(204);
        server.createUser(abuse, PASSWORD);

        server.restart();

        String marker = "to-abuse-" + UUID.randomUUID();
        assertThat(send(marker, abuse)).allSatisfy(reply -> assertThat(reply).startsWith("250"));
        awaitIn(abuse, "INBOX", marker);
        assertThat(copies(DIEGO, "INBOX", marker)).isZero();
        assertThat(server.webAdmin("GET", "/address/aliases/" + DIEGO, null).body()).doesNotContain(abuse);
        // as shipped again, for the other tests of this server
        assertThat(server.webAdmin("DELETE", "/users/" + abuse, null).statusCode()).isEqualTo(204);
        assertThat(server.webAdmin("PUT", "/address/aliases/" + DIEGO + "/sources/" + abuse, null).statusCode()).isEqualTo(204);
    }

    /**
     * Domain, user, alias and Sieve lookups are cached (LookupCache): a change made over webadmin must
     * still apply to the very next message, even right after the old answer was cached.
     */
    @Nested
    class ChangesApplyAtOnceDespiteTheLookupCache {
        @Test
        void userCreatedAfterARefusalIsAcceptedAndRemovedUserIsRefusedAgain() throws Exception {
            String user = "late-" + UUID.randomUUID().toString().substring(0, 8) + "@second.example";
            assertThat(send("x", user)).first().asString().startsWith("550 5.1.1");

            server.createUser(user, PASSWORD);
            String marker = "late-user-" + UUID.randomUUID();
            assertThat(send(marker, user)).first().asString().startsWith("250");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(imapsInbox(server, user, PASSWORD)).anySatisfy(raw -> assertThat(raw).contains(marker)));

            assertThat(server.webAdmin("DELETE", "/users/" + user, null).statusCode()).isEqualTo(204);
            assertThat(send("x", user)).first().asString().startsWith("550 5.1.1");
        }

        @Test
        void domainAddedAfterARefusalIsLocalAtOnce() throws Exception {
            String domain = "d" + UUID.randomUUID().toString().substring(0, 8) + ".example";
            assertThat(send("x", "carol@" + domain)).first().asString().startsWith("550 5.7.1");

            assertThat(server.webAdmin("PUT", "/domains/" + domain, null).statusCode()).isEqualTo(204);
            server.createUser("carol@" + domain, PASSWORD);
            assertThat(send("x", "carol@" + domain)).first().asString().startsWith("250");

            assertThat(server.webAdmin("DELETE", "/users/carol@" + domain, null).statusCode()).isEqualTo(204);
            assertThat(server.webAdmin("DELETE", "/domains/" + domain, null).statusCode()).isEqualTo(204);
            assertThat(send("x", "carol@" + domain)).first().asString().startsWith("550 5.7.1");
        }

        @Test
        void aliasAddedAfterTheCatchAllTookTheAddressWinsForTheNextMessage() throws Exception {
            String source = "desk-" + UUID.randomUUID().toString().substring(0, 8) + "@diegonmarcos.com";
            String before = "before-alias-" + UUID.randomUUID();
            send(before, source);
            awaitIn(DIEGO, "INBOX", before);

            assertThat(server.webAdmin("PUT", "/address/aliases/" + CATCHER + "/sources/" + source, null).statusCode()).isEqualTo(204);
            String after = "after-alias-" + UUID.randomUUID();
            send(after, source);
            awaitIn(CATCHER, "INBOX", after);
            assertThat(copies(DIEGO, "INBOX", after)).isZero();
        }
    }

    @Nested
    class CatchAll {
        @Test
        void unknownLocalPartIsDeliveredToTheCatchAllTarget() throws Exception {
            String marker = "random-" + UUID.randomUUID();
            assertThat(send(marker, "random123@diegonmarcos.com")).allSatisfy(reply -> assertThat(reply).startsWith("250"));
            awaitIn(DIEGO, "INBOX", marker);
        }

        @Test
        void aliasWinsOverTheCatchAll() throws Exception {
            assertThat(server.webAdmin("PUT", "/address/aliases/" + CATCHER + "/sources/helpdesk@diegonmarcos.com", null).statusCode()).isEqualTo(204);
            String marker = "alias-" + UUID.randomUUID();
            send(marker, "helpdesk@diegonmarcos.com");
            awaitIn(CATCHER, "INBOX", marker);
            assertThat(copies(DIEGO, "INBOX", marker)).isZero();
        }

        @Test
        void realUserWinsOverTheCatchAll() throws Exception {
            String marker = "user-" + UUID.randomUUID();
            send(marker, CATCHER);
            awaitIn(CATCHER, "INBOX", marker);
            assertThat(copies(DIEGO, "INBOX", marker)).isZero();
        }

        @Test
        void excludedLocalPartIsRefusedAtRcpt() throws Exception {
            assertThat(send("x", "sales@diegonmarcos.com", "Sales+promo@diegonmarcos.com"))
                .containsExactly("550 5.1.1 sales@diegonmarcos.com: no such user here",
                    "550 5.1.1 Sales+promo@diegonmarcos.com: no such user here", "no DATA");
        }

        @Test
        void domainWithoutCatchAllRefusesUnknownUsersAtRcpt() throws Exception {
            assertThat(send("x", "nobody@second.example").get(0)).startsWith("550 5.1.1");
        }

        @Test
        void mixedRecipientsEachGetTheirOutcomeAndNothingIsDeliveredTwice() throws Exception {
            String marker = "mixed-" + UUID.randomUUID();
            List<String> replies = send(marker, DIEGO, "unknown-" + UUID.randomUUID() + "@diegonmarcos.com", "sales@diegonmarcos.com", "bob@second.example");
            assertThat(replies.get(0)).startsWith("250");
            assertThat(replies.get(1)).startsWith("250");
            assertThat(replies.get(2)).startsWith("550 5.1.1");
            assertThat(replies.get(3)).startsWith("250");
            assertThat(replies.get(4)).startsWith("250");
            awaitIn(DIEGO, "INBOX", marker);
            awaitIn("bob@second.example", "INBOX", marker);
            assertThat(copies(DIEGO, "INBOX", marker)).isEqualTo(1);
        }

        @Test
        void targetChangedOverWebAdminAppliesToTheNextMessageWithoutRestart() throws Exception {
            assertThat(server.webAdmin("PUT", "/catchall/diegonmarcos.com", "{\"target\":\"" + CATCHER + "\",\"excluded\":[\"sales\"]}").statusCode())
                .isEqualTo(204);
            try {
                assertThat(server.webAdmin("GET", "/catchall/diegonmarcos.com", null).body())
                    .contains(CATCHER, "\"source\":\"webadmin\"");
                String marker = "retargeted-" + UUID.randomUUID();
                send(marker, "whoever@diegonmarcos.com");
                awaitIn(CATCHER, "INBOX", marker);
                assertThat(copies(DIEGO, "INBOX", marker)).isZero();

                assertThat(server.webAdmin("DELETE", "/catchall/diegonmarcos.com", null).statusCode()).isEqualTo(204);
                assertThat(send("x", "whoever@diegonmarcos.com").get(0)).startsWith("550 5.1.1");
            } finally {
                assertThat(server.webAdmin("DELETE", "/catchall/diegonmarcos.com/override", null).statusCode()).isEqualTo(204);
            }
            assertThat(server.webAdmin("GET", "/catchall/diegonmarcos.com", null).body()).contains(DIEGO, "\"source\":\"conf\"");
        }

        @Test
        void invalidTargetIsA400() throws Exception {
            HttpResponse<String> response = server.webAdmin("PUT", "/catchall/diegonmarcos.com", "{\"target\":\"not an address\"}");
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("not a mail address");
        }
    }

    @Nested
    class Subaddressing {
        @Test
        void detailWithAnExistingFolderIsFiledThere() throws Exception {
            String marker = "news-" + UUID.randomUUID();
            send(marker, "diego+news@diegonmarcos.com");
            awaitIn(DIEGO, "news", marker);
            assertThat(copies(DIEGO, "INBOX", marker)).isZero();
        }

        @Test
        void detailWithoutAFolderGoesToInbox() throws Exception {
            String marker = "nofolder-" + UUID.randomUUID();
            send(marker, "diego+shopping@diegonmarcos.com");
            awaitIn(DIEGO, "INBOX", marker);
        }

        @Test
        void emptyDetailGoesToTheUser() throws Exception {
            String marker = "empty-" + UUID.randomUUID();
            assertThat(send(marker, "diego+@diegonmarcos.com")).allSatisfy(reply -> assertThat(reply).startsWith("250"));
            awaitIn(DIEGO, "INBOX", marker);
        }

        @Test
        void unknownLocalPartWithDetailGoesToTheCatchAll() throws Exception {
            String marker = "unknowntag-" + UUID.randomUUID();
            send(marker, "anything+tag@diegonmarcos.com");
            awaitIn(DIEGO, "INBOX", marker);
        }

        @Test
        void aliasWithDetailFollowsTheAlias() throws Exception {
            String marker = "aliastag-" + UUID.randomUUID();
            send(marker, "me+tag@diegonmarcos.com");
            awaitIn(DIEGO, "INBOX", marker);
        }
    }

    @Nested
    class ExternalAlias {
        @Test
        void aliasToAnExternalAddressIsAcceptedAndQueuedForRemoteDelivery() throws Exception {
            assertThat(server.webAdmin("POST", "/mappings/address/ext@diegonmarcos.com/targets/friend@external.example", null).statusCode())
                .isEqualTo(204);
            String marker = "external-" + UUID.randomUUID();
            assertThat(send(marker, "ext@diegonmarcos.com")).allSatisfy(reply -> assertThat(reply).startsWith("250"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(server.webAdmin("GET", "/mailQueues/outgoing/mails", null).body()).contains("friend@external.example"));
        }
    }

    @Nested
    class HostileAddresses {
        @Test
        void quotedLocalPartIsAValidAddressTheCatchAllTakes() throws Exception {
            String marker = "quoted-" + UUID.randomUUID();
            assertThat(send(marker, "\"john doe\"@diegonmarcos.com")).allSatisfy(reply -> assertThat(reply).startsWith("250"));
            awaitIn(DIEGO, "INBOX", marker);
        }

        @Test
        void unicodeLocalPartWithoutSmtpUtf8IsRefusedCleanly() throws Exception {
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                smtp.send("EHLO mx.example.org");
                smtp.send("MAIL FROM:<alice@example.org>");
                assertThat(smtp.send("RCPT TO:<rené@diegonmarcos.com>")).matches("(?s)5\\d\\d .*");
                assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            }
        }

        @Test
        void overlongLocalPartIsNotCaughtAndRefusedCleanly() throws Exception {
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                smtp.send("EHLO mx.example.org");
                smtp.send("MAIL FROM:<alice@example.org>");
                assertThat(smtp.send("RCPT TO:<" + "a".repeat(300) + "@diegonmarcos.com>")).startsWith("550 5.1.1");
                assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            }
        }
    }

    @Nested
    class PasswordPolicy {
        @Test
        void fifteenCharactersAreRefusedNamingTheRule() throws Exception {
            HttpResponse<String> response = server.webAdmin("PUT", "/users/short@diegonmarcos.com", "{\"password\":\"fifteen-chars-x\"}");
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("at least 16 characters");
            assertThat(server.webAdmin("GET", "/users", null).body()).doesNotContain("short@");
        }

        @Test
        void commonPasswordIsRefused() throws Exception {
            HttpResponse<String> response = server.webAdmin("PUT", "/users/common@diegonmarcos.com", "{\"password\":\"passwordpassword\"}");
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("common passwords");
        }

        @Test
        void changingToAShortPasswordIsRefusedAndTheOldOneStillWorks() throws Exception {
            server.createUser("change@diegonmarcos.com", "original-password-123456");
            HttpResponse<String> response = server.webAdmin("PUT", "/users/change@diegonmarcos.com?force", "{\"password\":\"too-short\"}");
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(imapsInbox(server, "change@diegonmarcos.com", "original-password-123456")).isEmpty();
        }

        @Test
        void sixteenCharactersAreAcceptedAndWorkForImap() throws Exception { // user not "sixteen": the policy refuses a password holding the user name
            HttpResponse<String> response = server.webAdmin("PUT", "/users/accepted@diegonmarcos.com", "{\"password\":\"sixteen-chars-ok\"}");
            assertThat(response.statusCode()).isEqualTo(204);
            assertThat(imapsInbox(server, "accepted@diegonmarcos.com", "sixteen-chars-ok")).isEmpty();
        }
    }
}
