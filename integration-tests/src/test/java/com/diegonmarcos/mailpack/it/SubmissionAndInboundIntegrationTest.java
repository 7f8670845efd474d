package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SubmissionAndInboundIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "correct-horse-battery-staple";

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.inProcess();

    static SSLContext tls;

    @BeforeAll
    static void createUser() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        tls = Clients.trusting(server.certificate());
    }

    static void awaitInInbox(String marker) {
        // ignoreExceptions: a poll racing with a delivery can get "BAD FETCH failed. Invalid messageset" (SELECT counted
        // a message the session's sequence numbers do not have yet); the next poll reads it
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() ->
            assertThat(imapsInbox(server, DIEGO, PASSWORD)).anySatisfy(raw -> assertThat(raw).contains(marker)));
    }

    @Nested
    class Submission {
        @Test
        void startTlsThenAuthPlainDeliversWithBodyIntactOverImaps() throws Exception {
            String marker = "body-" + UUID.randomUUID();
            String body = marker + "\r\n.line starting with a dot\r\nlast line";
            try (SmtpDialog smtp = SmtpDialog.connect(server.submissionPort())) {
                assertThat(smtp.send("EHLO client.example")).contains("STARTTLS");
                assertThat(smtp.startTls(tls)).startsWith("220");
                assertThat(smtp.send("EHLO client.example")).contains("AUTH");
                assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("235");
                assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
                assertThat(smtp.data(message(DIEGO, DIEGO, "submitted", body))).startsWith("250");
            }
            awaitInInbox(marker);
            assertThat(imapsInbox(server, DIEGO, PASSWORD))
                .filteredOn(raw -> raw.contains(marker))
                .singleElement()
                .satisfies(raw -> assertThat(raw).contains(body));
        }

        @Test
        void implicitTlsPortAcceptsAuthenticatedSubmission() throws Exception {
            String marker = "smtps-" + UUID.randomUUID();
            try (SmtpDialog smtp = SmtpDialog.connectTls(server.smtpsPort(), tls)) {
                assertThat(smtp.send("EHLO client.example")).contains("AUTH");
                assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("235");
                assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
                assertThat(smtp.data(message(DIEGO, DIEGO, "smtps", marker))).startsWith("250");
            }
            awaitInInbox(marker);
        }

        @Test
        void authIsNeitherOfferedNorAcceptedBeforeStartTls() throws Exception {
            try (SmtpDialog smtp = SmtpDialog.connect(server.submissionPort())) {
                assertThat(smtp.send("EHLO client.example")).doesNotContain("AUTH");
                assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("538 5.7.11");
            }
        }

        @Test
        void mailWithoutAuthenticationIsRefused() throws Exception {
            try (SmtpDialog smtp = SmtpDialog.connect(server.submissionPort())) {
                smtp.send("EHLO client.example");
                smtp.startTls(tls);
                smtp.send("EHLO client.example");
                assertThat(smtp.send("MAIL FROM:<someone@example.org>")).startsWith("530 5.7.0");
            }
        }

        @Test
        void wrongPasswordIsRefused() throws Exception {
            try (SmtpDialog smtp = SmtpDialog.connect(server.submissionPort())) {
                smtp.send("EHLO client.example");
                smtp.startTls(tls);
                smtp.send("EHLO client.example");
                assertThat(smtp.authPlain(DIEGO, "not-the-password-at-all")).startsWith("535");
            }
        }
    }

    @Nested
    class Inbound {
        @Test
        void unauthenticatedMailToALocalUserIsDelivered() throws Exception {
            String marker = "inbound-" + UUID.randomUUID();
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                assertThat(smtp.send("EHLO mx.example.org")).doesNotContain("AUTH");
                assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
                assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
                assertThat(smtp.data(message("alice@example.org", DIEGO, "hello", marker))).startsWith("250");
            }
            awaitInInbox(marker);
        }

        @Test
        void shippedAliasMeDeliversToDiego() throws Exception {
            String marker = "alias-" + UUID.randomUUID();
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                smtp.send("EHLO mx.example.org");
                smtp.send("MAIL FROM:<alice@example.org>");
                assertThat(smtp.send("RCPT TO:<me@diegonmarcos.com>")).startsWith("250");
                assertThat(smtp.data(message("alice@example.org", "me@diegonmarcos.com", "alias", marker))).startsWith("250");
            }
            awaitInInbox(marker);
        }

        @Test
        void relayToARemoteDomainIsDenied() throws Exception {
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                smtp.send("EHLO mx.example.org");
                smtp.send("MAIL FROM:<alice@example.org>");
                assertThat(smtp.send("RCPT TO:<someone@gmail.com>")).startsWith("550 5.7.1");
            }
        }

        @Test
        void unknownUserOfALocalDomainWithoutCatchAllIsRefusedAtRcpt() throws Exception {
            assertThat(server.webAdmin("PUT", "/domains/no-catch-all.example", null).statusCode()).isEqualTo(204);
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                smtp.send("EHLO mx.example.org");
                smtp.send("MAIL FROM:<alice@example.org>");
                assertThat(smtp.send("RCPT TO:<nobody-here@no-catch-all.example>")).startsWith("550 5.1.1");
            }
        }
    }

    @Nested
    class WebAdmin {
        @Test
        void requestWithoutTokenIsUnauthorized() throws Exception {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.webAdminUrl() + "/users")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
        }

        @Test
        void requestWithAForgedTokenIsUnauthorized() throws Exception {
            String forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsImFkbWluIjp0cnVlfQ.";
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.webAdminUrl() + "/users"))
                    .header("Authorization", "Bearer " + forged).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
        }

        @Test
        void accountLifecycle() throws Exception {
            assertThat(server.webAdmin("PUT", "/domains/example.net", null).statusCode()).isEqualTo(204);
            assertThat(server.webAdmin("GET", "/domains", null).body()).contains("example.net", "diegonmarcos.com");

            String user = "carol@example.net";
            server.createUser(user, "first-password-0123456789");
            assertThat(server.webAdmin("GET", "/users", null).body()).contains(user, DIEGO);
            assertThat(imapsInbox(server, user, "first-password-0123456789")).isEmpty();

            assertThat(server.webAdmin("PUT", "/users/" + user + "?force", "{\"password\":\"second-password-0123456789\"}").statusCode())
                .isEqualTo(204);
            assertThat(imapsInbox(server, user, "second-password-0123456789")).isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> imapsInbox(server, user, "first-password-0123456789"))
                .isInstanceOf(javax.mail.AuthenticationFailedException.class);

            assertThat(server.webAdmin("DELETE", "/users/" + user, null).statusCode()).isEqualTo(204);
            assertThat(server.webAdmin("GET", "/users", null).body()).doesNotContain(user);
        }
    }

    @Nested
    class MailboxAccess {
        @Test
        void pop3OverImplicitTlsRetrievesDeliveredMail() throws Exception {
            String marker = "pop3-" + UUID.randomUUID();
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                smtp.send("EHLO mx.example.org");
                smtp.send("MAIL FROM:<alice@example.org>");
                smtp.send("RCPT TO:<" + DIEGO + ">");
                assertThat(smtp.data(message("alice@example.org", DIEGO, "pop3", marker))).startsWith("250");
            }
            awaitInInbox(marker);
            assertThat(Clients.pop3sInbox(server, DIEGO, PASSWORD)).anySatisfy(raw -> assertThat(raw).contains(marker));
        }

        @Test
        void imapOnPort143RefusesLoginBeforeStartTls() throws Exception {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.imapPort())) {
                socket.setSoTimeout(30_000);
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
                java.io.OutputStream out = socket.getOutputStream();
                assertThat(in.readLine()).startsWith("* OK");
                out.write(("a1 CAPABILITY\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String capability = in.readLine();
                assertThat(capability).contains("STARTTLS", "LOGINDISABLED");
                assertThat(in.readLine()).startsWith("a1 OK");
                out.write(("a2 LOGIN " + DIEGO + " " + PASSWORD + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(in.readLine()).matches("a2 (NO|BAD) .*");
            }
        }
    }
}
