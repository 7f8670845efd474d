package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.modules.ratelimit.RateLimitModule;
import com.google.inject.name.Names;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Issue 16 item 8, against the packaged server with the shipped conf (only the rate limiter's clock is a
 * {@link TestClock}, moved two minutes on before every test so each starts with fresh windows): odd
 * recipient forms, a flood of random local parts through the catch-all, source-route forms, the
 * {@code /healthcheck} exposure, CORS headers and the EHLO reply. Every refusal is followed by a normal
 * message in the same transaction, which must be delivered exactly once.
 */
class HostileSmallInputsIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com"; // the shipped catch-all target
    static final String CAROL = "carol@diegonmarcos.com";
    static final String PASSWORD = "hostile-small-inputs-0001-xq";
    static final String HOSTNAME = "mail.diegonmarcos.com";
    static final TestClock CLOCK = new TestClock();

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .overrideBindings(binder -> binder.bind(Clock.class).annotatedWith(Names.named(RateLimitModule.CLOCK)).toInstance(CLOCK));

    static final Logger JAMES = (Logger) LoggerFactory.getLogger("org.apache.james");
    static Level testLevel;

    @BeforeAll
    static void setUp() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        server.createUser(CAROL, PASSWORD);
        testLevel = JAMES.getLevel();
        JAMES.setLevel(Level.INFO); // as conf/logback.xml: James' INFO lines (and their stack traces) are in the shipped log
    }

    @AfterAll
    static void restoreLogLevel() {
        JAMES.setLevel(testLevel);
    }

    @BeforeEach
    void freshRateLimitWindows() {
        CLOCK.advance(Duration.ofMinutes(2));
    }

    /** One port-25 transaction from alice@example.org. */
    static final class Transaction implements AutoCloseable {
        final SmtpDialog smtp;
        final List<String> accepted = new ArrayList<>();

        Transaction() throws IOException {
            smtp = SmtpDialog.connect(server.smtpPort());
            assertThat(smtp.send("EHLO mx.example.org")).startsWith("250");
            assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
        }

        String rcpt(String path) throws IOException {
            String reply = smtp.send("RCPT TO:" + path);
            if (reply.startsWith("250")) {
                accepted.add(path);
            }
            return reply;
        }

        /** A normal recipient after whatever was refused, then DATA: returns the marker to look for. */
        String deliverNormalMessage() throws IOException {
            assertThat(rcpt("<" + CAROL + ">")).startsWith("250 2.1.5");
            String marker = "normal-" + UUID.randomUUID();
            assertThat(smtp.data(message("alice@example.org", CAROL, "normal message", marker))).startsWith("250");
            return marker;
        }

        @Override
        public void close() throws IOException {
            smtp.close();
        }
    }

    static void awaitExactlyOneCopy(String user, String marker) throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
            assertThat(imapsInbox(server, user, PASSWORD)).anySatisfy(raw -> assertThat(raw).contains(marker)));
        assertThat(imapsInbox(server, user, PASSWORD)).filteredOn(raw -> raw.contains(marker)).hasSize(1);
    }

    /** Every event logged while it runs, from every logger at its configured level. */
    static ListAppender<ILoggingEvent> captureLog() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
        return appender;
    }

    /** After it, the list no longer changes (logback appends under the appender's lock, and not once it is stopped). */
    static void stopCapture(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
        synchronized (appender) {
            appender.stop();
        }
    }

    static List<ILoggingEvent> smtpEvents(ListAppender<ILoggingEvent> log) {
        return log.list.stream().filter(event -> event.getThreadName().startsWith("smtp-")).toList();
    }

    @Nested
    class OddRecipientForms {
        @Test
        void quotedAddressAsLocalPartIsRefusedPermanentlyWithOneLogLineAndNoStackTrace() throws Exception {
            ListAppender<ILoggingEvent> log = captureLog();
            String marker;
            try (Transaction transaction = new Transaction()) {
                assertThat(transaction.rcpt("<\"victim@example.org\"@diegonmarcos.com>"))
                    .isEqualTo("550 5.1.1 \"victim@example.org\"@diegonmarcos.com: no such user here");
                marker = transaction.deliverNormalMessage();
            } finally {
                stopCapture(log);
            }
            assertThat(log.list).allSatisfy(event -> assertThat(event.getThrowableProxy()).as(event.getFormattedMessage()).isNull());
            assertThat(log.list).filteredOn(event -> event.getFormattedMessage().contains("victim@example.org"))
                .singleElement().extracting(ILoggingEvent::getFormattedMessage)
                .isEqualTo("Rejected unknown recipient \"victim@example.org\"@diegonmarcos.com from 127.0.0.1");
            awaitExactlyOneCopy(CAROL, marker);
        }

        /** Each form gets a permanent refusal or a correct acceptance: never a 4xx, never a stack trace in the log. */
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
            "<\"a b\"@diegonmarcos.com>                  | 250 2.1.5 Recipient <\"a b\"@diegonmarcos.com> OK",
            "<@diegonmarcos.com>                        | 553 5.1.3 Syntax error in recipient address",
            "<>                                         | 553 5.1.3 Syntax error in recipient address",
            "<a@b@diegonmarcos.com>                     | 553 5.1.3 Syntax error in recipient address",
            "<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@diegonmarcos.com> | 550 5.1.1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@diegonmarcos.com: no such user here",
            "<rené@diegonmarcos.com>                    | 553 5.6.7 Non-ASCII addresses are not supported here",
            "<@relay.example:carol@diegonmarcos.com>    | 250 2.1.5 Recipient <carol@diegonmarcos.com> OK",
            "<@a.example,@b.example:carol@diegonmarcos.com> | 250 2.1.5 Recipient <carol@diegonmarcos.com> OK",
            "<@diegonmarcos.com:victim@example.org>     | 550 5.7.1 Requested action not taken: relaying denied",
            "<Postmaster>                               | 250 2.1.5 Recipient <Postmaster@diegonmarcos.com> OK",
        })
        void isRefusedPermanentlyOrAcceptedCorrectly(String path, String expected) throws Exception {
            ListAppender<ILoggingEvent> log = captureLog();
            String marker;
            try (Transaction transaction = new Transaction()) {
                assertThat(transaction.rcpt(path)).isEqualTo(expected);
                marker = transaction.deliverNormalMessage();
            } finally {
                stopCapture(log);
            }
            assertThat(smtpEvents(log)).allSatisfy(event -> assertThat(event.getThrowableProxy()).as(event.getFormattedMessage()).isNull());
            awaitExactlyOneCopy(CAROL, marker);
        }
    }

    @Nested
    class CatchAllFlood {
        @Test
        void fiveHundredRandomLocalPartsCountAgainstTheCatchAllMailbox() throws Exception {
            List<String> refusals = new ArrayList<>();
            String marker;
            try (Transaction transaction = new Transaction()) {
                for (int i = 0; i < 500; i++) {
                    String random = "r" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "@diegonmarcos.com";
                    String reply = transaction.rcpt("<" + random + ">");
                    if (!reply.startsWith("250")) {
                        refusals.add(reply);
                        assertThat(reply).isEqualTo("451 4.7.1 Rate limit reached: at most 30 messages per minute to the mailbox of "
                            + random + ", try again later");
                    }
                }
                assertThat(transaction.accepted).hasSize(30);
                assertThat(refusals).hasSize(470);
                assertThat(transaction.rcpt("<me@diegonmarcos.com>")).as("an alias of the same mailbox").startsWith("451 4.7.1");
                assertThat(transaction.rcpt("<diego+x@diegonmarcos.com>")).as("a subaddress of the same mailbox").startsWith("451 4.7.1");
                marker = transaction.deliverNormalMessage();
            }
            awaitExactlyOneCopy(CAROL, marker);
            awaitExactlyOneCopy(DIEGO, marker); // the 30 caught recipients are one mailbox: one copy

            CLOCK.advance(Duration.ofSeconds(61));
            try (Transaction transaction = new Transaction()) {
                assertThat(transaction.rcpt("<after-the-window@diegonmarcos.com>")).startsWith("250");
            }
        }
    }

    @Nested
    class SourceRouteForms {
        @Test
        void percentAndBangLocalPartsAreRefusedLikeUnknownOnesByDefault() throws Exception {
            String marker;
            try (Transaction transaction = new Transaction()) {
                assertThat(transaction.rcpt("<victim%example.org@diegonmarcos.com>"))
                    .isEqualTo("550 5.1.1 victim%example.org@diegonmarcos.com: no such user here");
                assertThat(transaction.rcpt("<example.org!victim@diegonmarcos.com>"))
                    .isEqualTo("550 5.1.1 example.org!victim@diegonmarcos.com: no such user here");
                assertThat(transaction.rcpt("<\"victim%example.org\"@diegonmarcos.com>")).startsWith("550 5.1.1");
                marker = transaction.deliverNormalMessage();
            }
            awaitExactlyOneCopy(CAROL, marker);
            assertThat(imapsInbox(server, DIEGO, PASSWORD)).noneSatisfy(raw -> assertThat(raw).contains(marker));
        }

        @Test
        void usersAndAliasesContainingPercentOrBangStillWork() throws Exception {
            assertThat(server.webAdmin("PUT", "/address/aliases/" + CAROL + "/sources/ops!desk@diegonmarcos.com", null).statusCode()).isEqualTo(204);
            // James' alias routes URL-decode the path twice: %2525 is one %
            assertThat(server.webAdmin("PUT", "/address/aliases/" + CAROL + "/sources/team%2525a@diegonmarcos.com", null).statusCode()).isEqualTo(204);
            server.createUser("desk%25c@diegonmarcos.com", PASSWORD);
            String marker = "routed-alias-" + UUID.randomUUID();
            try (Transaction transaction = new Transaction()) {
                assertThat(transaction.rcpt("<ops!desk@diegonmarcos.com>")).startsWith("250");
                assertThat(transaction.rcpt("<team%a@diegonmarcos.com>")).startsWith("250");
                assertThat(transaction.rcpt("<desk%c@diegonmarcos.com>")).startsWith("250");
                assertThat(transaction.smtp.data(message("alice@example.org", "ops!desk@diegonmarcos.com", "alias", marker))).startsWith("250");
            }
            awaitExactlyOneCopy(CAROL, marker); // two aliases of one mailbox: one copy
            assertThat(imapsInbox(server, DIEGO, PASSWORD)).noneSatisfy(raw -> assertThat(raw).contains(marker));
        }

        @Test
        void acceptSetOverWebadminLetsTheCatchAllTakeThemUntilReset() throws Exception {
            assertThat(server.webAdmin("PUT", "/catchall/diegonmarcos.com", "{\"target\":\"" + DIEGO + "\",\"sourceRouteForms\":\"accept\"}").statusCode())
                .isEqualTo(204);
            try {
                assertThat(server.webAdmin("GET", "/catchall/diegonmarcos.com", null).body()).contains("\"sourceRouteForms\":\"accept\"");
                String marker;
                try (Transaction transaction = new Transaction()) {
                    assertThat(transaction.rcpt("<victim%example.org@diegonmarcos.com>")).startsWith("250");
                    assertThat(transaction.rcpt("<example.org!victim@diegonmarcos.com>")).startsWith("250");
                    assertThat(transaction.rcpt("<\"victim@example.org\"@diegonmarcos.com>")).as("never: no mailbox can have such a name")
                        .startsWith("550 5.1.1");
                    marker = transaction.deliverNormalMessage();
                }
                awaitExactlyOneCopy(CAROL, marker);
                awaitExactlyOneCopy(DIEGO, marker);
                assertThat(server.webAdmin("PUT", "/catchall/diegonmarcos.com", "{\"target\":\"" + DIEGO + "\",\"sourceRouteForms\":\"maybe\"}").statusCode())
                    .isEqualTo(400);
            } finally {
                assertThat(server.webAdmin("DELETE", "/catchall/diegonmarcos.com/override", null).statusCode()).isEqualTo(204);
            }
            assertThat(server.webAdmin("GET", "/catchall/diegonmarcos.com", null).body()).contains("\"sourceRouteForms\":\"refuse\"", "\"source\":\"conf\"");
        }
    }

    static HttpResponse<String> anonymous(String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.webAdminUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Nested
    class HealthCheck {
        @Test
        void withoutATokenOnlyTheOverallStatusIsShown() throws Exception {
            HttpResponse<String> response = anonymous("GET", "/healthcheck", Map.of());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"status\":\"healthy\"}");
            assertThat(anonymous("GET", "/healthcheck/checks", Map.of()).statusCode()).isEqualTo(401);
            assertThat(anonymous("GET", "/healthcheck/checks/rspamd", Map.of()).statusCode()).isEqualTo(401);
            assertThat(anonymous("GET", "/healthcheck", Map.of("Authorization", "Bearer not-a-token")).body()).isEqualTo("{\"status\":\"healthy\"}");
        }

        @Test
        void withTheAdminTokenEveryComponentIsShownAndDisabledScannersSaySo() throws Exception {
            HttpResponse<String> all = server.webAdmin("GET", "/healthcheck", null);
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(all.body()).startsWith("{\"status\":\"healthy\",\"checks\":[")
                .contains("{\"componentName\":\"rspamd\",\"escapedComponentName\":\"rspamd\",\"status\":\"healthy\","
                    + "\"cause\":\"disabled: conf/scan.xml rspamd.url is empty (MAILPACK_RSPAMD_URL)\"}")
                .contains("{\"componentName\":\"clamd\",\"escapedComponentName\":\"clamd\",\"status\":\"healthy\","
                    + "\"cause\":\"disabled: conf/scan.xml clamav.address is empty (MAILPACK_CLAMD_ADDRESS)\"}")
                .contains("\"componentName\":\"Embedded ActiveMQ\"");
            HttpResponse<String> one = server.webAdmin("GET", "/healthcheck/checks/clamd", null);
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(one.body()).isEqualTo("{\"componentName\":\"clamd\",\"escapedComponentName\":\"clamd\",\"status\":\"healthy\","
                + "\"cause\":\"disabled: conf/scan.xml clamav.address is empty (MAILPACK_CLAMD_ADDRESS)\"}");
            assertThat(server.webAdmin("GET", "/healthcheck/checks", null).body()).contains("{\"componentName\":\"rspamd\",\"escapedComponentName\":\"rspamd\"}");
            assertThat(server.webAdmin("GET", "/healthcheck/checks/nothing", null).statusCode()).isEqualTo(404);
        }

        /** The command of docker/Dockerfile's HEALTHCHECK, run as the container runs it. */
        @Test
        void theContainerHealthCheckCommandPassesWithoutAToken() throws Exception {
            String dockerfile = Files.readString(Path.of("../docker/Dockerfile"), StandardCharsets.UTF_8);
            Matcher healthcheck = Pattern.compile("(?m)^HEALTHCHECK .*\\\\\\n\\s+CMD (.+)$").matcher(dockerfile);
            assertThat(healthcheck.find()).as("a HEALTHCHECK ... CMD in docker/Dockerfile").isTrue();
            ProcessBuilder shell = new ProcessBuilder("sh", "-c", healthcheck.group(1)).redirectErrorStream(true);
            shell.environment().put("MAILPACK_WEBADMIN_PORT", server.webAdminUrl().substring(server.webAdminUrl().lastIndexOf(':') + 1));
            Process process = shell.start();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        }
    }

    @Nested
    class Cors {
        static final Map<String, String> FROM_A_WEB_PAGE = Map.of("Origin", "https://evil.example");

        @Test
        void noCorsHeaderOnAnyReplyWhileCorsIsOff() throws Exception {
            List<HttpResponse<String>> replies = new ArrayList<>();
            replies.add(anonymous("GET", "/users", FROM_A_WEB_PAGE));
            replies.add(anonymous("GET", "/healthcheck", FROM_A_WEB_PAGE));
            replies.add(anonymous("OPTIONS", "/users", Map.of("Origin", "https://evil.example",
                "Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers", "Authorization")));
            replies.add(anonymous("GET", "/no-such-route", FROM_A_WEB_PAGE));
            replies.add(server.webAdmin("GET", "/users", null));
            assertThat(replies.get(0).statusCode()).isEqualTo(401);
            assertThat(replies.get(4).statusCode()).isEqualTo(200);
            assertThat(replies).allSatisfy(reply -> assertThat(reply.headers().map().keySet())
                .as("%s %s", reply.request().method(), reply.uri()).noneMatch(name -> name.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-")));
        }
    }

    @Nested
    class WebAdminBodies {
        /** What {@code curl -X PUT -d 1000000 .../quota/users/diego@.../size} sends without {@code -H 'Content-Type: ...'}. */
        @Test
        void aBodySentAsAFormGetsOneClearAnswerNamingTheHeader() throws Exception {
            HttpResponse<String> reply = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(server.webAdminUrl() + "/quota/users/" + CAROL + "/size"))
                .header("Authorization", "Bearer " + server.adminToken())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("1000000")).build(), HttpResponse.BodyHandlers.ofString());

            // James' route read an empty body: 400 "Invalid quota ... For input string: \"\""
            assertThat(reply.statusCode()).isEqualTo(415);
            assertThat(reply.body()).contains("Content-Type: application/json");
            assertThat(server.webAdmin("PUT", "/quota/users/" + CAROL + "/size", "1000000").statusCode()).isEqualTo(204);
            assertThat(server.webAdmin("GET", "/quota/users/" + CAROL + "/size", null).body()).isEqualTo("1000000");
            assertThat(server.webAdmin("DELETE", "/quota/users/" + CAROL + "/size", null).statusCode()).isEqualTo(204);
        }
    }

    @Nested
    class Ehlo {
        @Test
        void ehloAndHeloRepliesEndWithTheClientAddressInBrackets() throws Exception {
            for (int port : List.of(server.smtpPort(), server.submissionPort())) {
                try (SmtpDialog smtp = SmtpDialog.connect(port)) {
                    assertThat(smtp.send("EHLO mx.example.org").lines().findFirst())
                        .contains("250-" + HOSTNAME + " Hello mx.example.org [127.0.0.1]");
                    assertThat(smtp.send("HELO mx.example.org")).isEqualTo("250 " + HOSTNAME + " Hello mx.example.org [127.0.0.1]");
                }
            }
        }

        @Test
        void ehloStillAdvertisesEachExtensionOnce() throws Exception {
            try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
                assertThat(smtp.send("EHLO mx.example.org").lines().map(line -> line.substring(4)).skip(1).toList())
                    .doesNotHaveDuplicates().contains("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "STARTTLS");
            }
        }
    }
}
