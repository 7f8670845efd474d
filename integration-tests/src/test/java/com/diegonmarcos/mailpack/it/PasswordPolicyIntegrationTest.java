package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.imapsInbox;
import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The password policy over webadmin ({@code PUT /users/...}) on the packaged server: what the start
 * banner and the docs show, published examples, common patterns and the user's own name get {@code 400}
 * with the rule in {@code details}; a good passphrase gets {@code 204} and the account receives mail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PasswordPolicyIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String GOOD = "summer-holiday-in-lisbon-2024";
    /** {@code "password":"x"} in JSON, also with the quotes escaped as in a shell double-quoted string. */
    static final Pattern JSON_PASSWORD = Pattern.compile("\\\\?\"password\\\\?\"\\s*:\\s*\\\\?\"([^\"\\\\]+)\\\\?\"");

    /** A process: the banner is printed by the server's main, as an operator sees it. */
    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process();

    static HttpResponse<String> putUser(String user, String password) throws Exception {
        return server.webAdmin("PUT", "/users/" + user, "{\"password\":\"" + password.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
    }

    static List<String> passwordsIn(String text) {
        List<String> passwords = new ArrayList<>();
        Matcher matcher = JSON_PASSWORD.matcher(text);
        while (matcher.find()) {
            passwords.add(matcher.group(1));
        }
        return passwords;
    }

    static void assertRefused(String user, String password, String rule) throws Exception {
        HttpResponse<String> response = putUser(user, password);
        assertThat(response.statusCode()).as("PUT /users/%s with %s", user, password).isEqualTo(400);
        assertThat(response.body()).contains("Password policy: ").contains(rule);
        assertThat(server.webAdmin("GET", "/users", null).body()).doesNotContain(user);
    }

    @Test
    @Order(1)
    void theBannersPasswordIsAPlaceholderThatIsRefused() throws Exception {
        String banner = server.processLog().substring(server.processLog().indexOf("mailpack is running"));
        List<String> shown = passwordsIn(banner);
        assertThat(shown).hasSize(1);
        assertRefused(DIEGO, shown.get(0), "placeholder");
    }

    @Test
    @Order(2)
    void everyPasswordInTheReadmeAndTheDockerHelperIsRefused() throws Exception {
        List<String> documented = new ArrayList<>();
        for (String file : List.of("../README.md", "../docker/mailpack-admin")) {
            documented.addAll(passwordsIn(Files.readString(Path.of(file), StandardCharsets.UTF_8)));
        }
        assertThat(documented).hasSizeGreaterThanOrEqualTo(4);
        for (String password : documented) {
            HttpResponse<String> response = putUser(DIEGO, password);
            assertThat(response.statusCode()).as("documented password %s", password).isEqualTo(400);
        }
    }

    /** What the banner, README.md and docker/mailpack-admin printed before: they are public. */
    @ParameterizedTest
    @Order(3)
    @ValueSource(strings = {"a-long-passphrase-of-16+-chars", "a-long-passphrase-16+", "another-long-passphrase"})
    void examplesMailpackOncePublishedAreRefused(String password) throws Exception {
        assertRefused(DIEGO, password, "example published in mailpack's documentation");
    }

    @ParameterizedTest
    @Order(4)
    @ValueSource(strings = {"Password1234567!", "P@ssw0rd12345678", "Welcome2024!!!!!"})
    void commonWordsWithDigitsAndSymbolsAreRefused(String password) throws Exception {
        HttpResponse<String> response = putUser(DIEGO, password);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).containsPattern("common (passwords|words with only digits or symbols added)");
    }

    @ParameterizedTest
    @Order(5)
    @ValueSource(strings = {"diego-is-my-login-diego", "DIEGO@diegonmarcos.com", "d1eg0-has-a-long-one"})
    void passwordsWithTheUserNameAreRefused(String password) throws Exception {
        assertRefused(DIEGO, password, "the password contains the user name");
    }

    @Test
    @Order(6)
    void aGoodPassphraseIsAcceptedAndTheAccountReceivesMailOnce() throws Exception {
        assertThat(putUser(DIEGO, GOOD).statusCode()).isEqualTo(204);
        String marker = "after-refusals-" + UUID.randomUUID();
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            assertThat(smtp.send("MAIL FROM:<alice@example.org>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.data(message("alice@example.org", DIEGO, "hello", marker))).startsWith("250");
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() ->
            assertThat(imapsInbox(server, DIEGO, GOOD)).filteredOn(raw -> raw.contains(marker)).hasSize(1));
    }

    @Test
    @Order(7)
    void changingToAPasswordWithTheUserNameIsRefusedAndTheOldOneStillWorks() throws Exception {
        HttpResponse<String> response = server.webAdmin("PUT", "/users/" + DIEGO + "?force", "{\"password\":\"Diego2024Diego2024!\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("the password contains the user name");
        assertThat(imapsInbox(server, DIEGO, GOOD)).isNotEmpty();
    }
}
