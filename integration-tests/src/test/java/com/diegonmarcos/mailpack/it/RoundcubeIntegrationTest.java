package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.ScanClients.sendInbound;
import static com.diegonmarcos.mailpack.it.ScanClients.wordyMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

import javax.mail.Flags;
import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.HeadlessChromium;
import com.diegonmarcos.mailpack.it.peers.TestRedis;
import com.diegonmarcos.mailpack.it.peers.TestRoundcube;
import com.diegonmarcos.mailpack.it.peers.TestRspamd;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A user's day in Roundcube (Debian's 1.6, elastic skin) in headless Chromium, against the packaged
 * server and a real rspamd with Bayes in Redis: each step is done by clicking and typing in the
 * browser, and its result checked from outside the browser, over IMAP or at rspamd. The steps run in
 * order and share one browser session and one mailbox (reading and replying need the message sent
 * before); each starts from a page it opens itself, logging in again when the session is gone, so a
 * failed step does not leave the browser stuck for the next. A failed step leaves a screenshot and
 * the page's HTML in {@code target/roundcube-screenshots/};
 * Roundcube's IMAP and SMTP logs are kept in {@code target/it-logs/RoundcubeIntegrationTest-roundcube/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoundcubeIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "roundcube-test-passphrase-0001";
    /** One word in every subject of this run: what the search looks for. */
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String SUBJECT = "Quarterly figures " + RUN;
    static final String ATTACHMENT = "figures-" + RUN + ".csv";
    static final String BODY_MARKER = "body-" + RUN;

    @RegisterExtension
    @Order(1)
    static TestRedis redis = new TestRedis();

    @RegisterExtension
    @Order(2)
    static TestRspamd rspamd = TestRspamd.create().redis(redis)
        .local("regexp.conf", "MAILPACK_TEST_JUNK {\n  re = \"Subject=/mailpack-junk-test/H\";\n  score = 8.0;\n"
            + "  description = \"test rule: this subject goes to Junk\";\n}\n");

    @RegisterExtension
    @Order(3)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_RSPAMD_URL", rspamd.url())
        .variable("MAILPACK_RSPAMD_CONTROLLER_URL", rspamd.controllerUrl())
        .variable("MAILPACK_RSPAMD_PASSWORD", TestRspamd.PASSWORD);

    @RegisterExtension
    @Order(4)
    static TestRoundcube roundcube = TestRoundcube.forServer(server::imapsPort, server::submissionPort);

    @RegisterExtension
    @Order(5)
    static HeadlessChromium browser = HeadlessChromium.create(Path.of("target", "roundcube-screenshots"));

    @TempDir
    static Path files;

    @BeforeAll
    static void user() throws Exception {
        server.createUser(DIEGO, PASSWORD);
    }

    @Test
    @Order(1)
    void loginRefusesAWrongPasswordThenShowsTheServersFolders() throws Exception {
        browser.open(roundcube.url() + "/");
        browser.type("#rcmloginuser", DIEGO);
        browser.type("#rcmloginpwd", "not-" + PASSWORD);
        browser.click("#rcmloginsubmit");
        browser.awaitValue("Roundcube to refuse the wrong password", RoundcubeIntegrationTest::state,
            state -> state.contains("Login failed"));
        assertThat(browser.findAll("#mailboxlist")).isEmpty();

        logIn();
        List<String> onServer = imapFolders();
        List<String> shown = awaitFolderList(folders -> folders != null && folders.size() >= onServer.size());
        assertThat(shown).containsExactlyInAnyOrderElementsOf(onServer);
        // the \Junk and \Sent folders (SPECIAL-USE) are Roundcube's Junk and Sent, with nothing configured
        assertThat(browser.find("#mailboxlist li.junk a").property("rel")).isEqualTo("Spam");
        assertThat(browser.find("#mailboxlist li.sent a").property("rel")).isEqualTo("Sent");
    }

    @Test
    @Order(2)
    void sendsAMessageWithAnAttachmentToItself() throws Exception {
        byte[] csv = ("quarter,revenue,note\nQ3,1024,\"r\u00e9sum\u00e9 " + RUN + "\"\n").getBytes(StandardCharsets.UTF_8);
        Path attachment = Files.write(files.resolve(ATTACHMENT), csv);
        openMail("INBOX");
        browser.click("#layout-menu a.compose");
        awaitComposeReady();
        browser.type(".recipient-input input", DIEGO + ", ");
        browser.type("#compose-subject", SUBJECT);
        browser.type("#composebody", "Here are the figures. " + BODY_MARKER);
        browser.find("#uploadformInput").type(attachment.toString()); // a hidden file input takes a path
        browser.awaitValue("the upload of " + ATTACHMENT, () -> browser.findAll("#attachment-list li[id^=rcmfile] .attachment-name")
            .stream().map(HeadlessChromium.Element::text).toList(), names -> names.contains(ATTACHMENT));
        browser.click(".formbuttons button.send");
        awaitLeftCompose();

        MimeMessage received = awaitMessage("INBOX", SUBJECT);
        assertThat(received.getFrom()[0].toString()).isEqualTo(DIEGO);
        Part part = attachment(received, ATTACHMENT);
        assertThat(part).as("a part named %s in %s", ATTACHMENT, received.getContentType()).isNotNull();
        assertThat(part.getInputStream().readAllBytes()).isEqualTo(csv);
        // Roundcube keeps its copy in the \Sent folder over IMAP
        assertThat(attachment(awaitMessage("Sent", SUBJECT), ATTACHMENT)).isNotNull();
    }

    @Test
    @Order(3)
    void readsTheMessageWithItsAttachment() throws Exception {
        assertThat(flags("INBOX", SUBJECT).contains(Flags.Flag.SEEN)).as("unread before it is shown").isFalse();
        openMail("INBOX");
        browser.click("the row of " + SUBJECT, () -> row(SUBJECT));
        String shown = browser.awaitValue("the preview of " + SUBJECT, () -> browser.script(
            "var d = document.getElementById('messagecontframe').contentDocument;"
                + "var subject = d.querySelector('h2.subject'), body = d.getElementById('messagebody');"
                + "return subject && body ? subject.innerText + '\\n' + Array.from(d.querySelectorAll('#attachment-list li'))"
                + ".map(li => li.innerText).join('\\n') + '\\n' + body.innerText : '';").asText(), text -> text.contains(SUBJECT));
        assertThat(shown).contains(ATTACHMENT).contains(BODY_MARKER);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> flags("INBOX", SUBJECT).contains(Flags.Flag.SEEN));
    }

    @Test
    @Order(4)
    void repliesToIt() throws Exception {
        String original = awaitMessage("INBOX", SUBJECT).getMessageID();
        String replyText = "Thanks, received. reply-" + RUN;
        openMail("INBOX");
        browser.click("the row of " + SUBJECT, () -> row(SUBJECT));
        browser.awaitValue("the preview of " + SUBJECT, () -> browser.script(
            "var s = document.getElementById('messagecontframe').contentDocument.querySelector('h2.subject');"
                + "return s ? s.innerText : '';").asText(), text -> text.contains(SUBJECT));
        browser.click("#layout-content .header a.reply[data-content-button]");
        awaitComposeReady();
        assertThat(browser.awaitValue("the reply form", () -> browser.find("#compose-subject").property("value"),
            subject -> !subject.isEmpty())).isEqualTo("Re: " + SUBJECT);
        assertThat(browser.find("#_to").property("value")).contains(DIEGO);
        browser.type("#composebody", replyText);
        browser.click(".formbuttons button.send");
        awaitLeftCompose();

        MimeMessage reply = awaitMessage("INBOX", "Re: " + SUBJECT);
        assertThat(reply.getHeader("In-Reply-To", null)).isEqualTo(original);
        assertThat(new String(reply.getRawInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains(replyText);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> flags("INBOX", SUBJECT).contains(Flags.Flag.ANSWERED));
    }

    @Test
    @Order(5)
    void movingAMessageToJunkTeachesRspamdSpam() throws Exception {
        String subject = "Garden newsletter " + RUN;
        assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, subject, "newsletter-" + RUN))).startsWith("250");
        awaitMessage("INBOX", subject);
        long spam = rspamd.bayesLearns(true);
        long ham = rspamd.bayesLearns(false);

        openMail("INBOX");
        browser.click("the row of " + subject, () -> row(subject));
        moveSelectedTo("junk");

        awaitMessage("Spam", subject);
        awaitGoneFrom("INBOX", subject);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> rspamd.bayesLearns(true), learned -> learned == spam + 1);
        assertThat(rspamd.bayesLearns(false)).isEqualTo(ham);
    }

    @Test
    @Order(6)
    void movingOurJunkBackToTheInboxTeachesRspamdHam() throws Exception {
        String subject = "mailpack-junk-test invoice " + RUN;
        assertThat(sendInbound(server, DIEGO, wordyMessage("alice@example.org", DIEGO, subject, "filed-" + RUN))).startsWith("250");
        assertThat(awaitMessage("Spam", subject).getHeader("X-Spam-Flag", null)).isEqualTo("YES");
        long spam = rspamd.bayesLearns(true);
        long ham = rspamd.bayesLearns(false);

        openMail("Spam");
        browser.click("the row of " + subject, () -> row(subject));
        moveSelectedTo("inbox");

        awaitMessage("INBOX", subject);
        awaitGoneFrom("Spam", subject);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> rspamd.bayesLearns(false), learned -> learned == ham + 1);
        assertThat(rspamd.bayesLearns(true)).isEqualTo(spam);
    }

    @Test
    @Order(7)
    void searchFindsTheMessageAndItsReplyBySubject() throws Exception {
        List<String> inbox = subjects("INBOX");
        List<String> expected = inbox.stream().filter(subject -> subject.contains(SUBJECT)).toList();
        assertThat(expected).as("the message and its reply").hasSize(2);
        assertThat(inbox).as("more in INBOX than the search should find").hasSizeGreaterThan(expected.size());

        openMail("INBOX");
        browser.type("#mailsearchform", "figures " + RUN + HeadlessChromium.ENTER);
        assertThat(browser.awaitValue("the search result", RoundcubeIntegrationTest::listedSubjects,
            listed -> listed != null && listed.size() == expected.size() && listed.containsAll(expected)))
            .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @Order(8)
    void createsRenamesAndDeletesAFolder() throws Exception {
        String created = "Re\u00e7us " + RUN;
        String renamed = "Projets \u00e9t\u00e9 " + RUN;
        openSettingsFolders();
        editFolder("", () -> browser.click("#layout-content a.create"), () -> browser.type("#_name", created));
        awaitFolderSetting(created);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> imapFolders().contains(created));

        String kept = "kept-" + RUN;
        append(created, Clients.message("alice@example.org", DIEGO, "to keep " + kept, kept));
        editFolder(created, () -> browser.click("the folder " + created, () -> folderSetting(created)), () -> {
            browser.find("#_name").clear();
            browser.type("#_name", renamed);
        });
        awaitFolderSetting(renamed);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(RoundcubeIntegrationTest::imapFolders, folders -> folders.contains(renamed) && !folders.contains(created));
        assertThat(messages(renamed)).as("the renamed folder keeps its messages")
            .singleElement().asString().contains(kept);

        browser.click("the folder " + renamed, () -> folderSetting(renamed));
        browser.awaitValue("Delete enabled for " + renamed, () -> browser.find("#layout-content a.delete").property("className"),
            classes -> !classes.contains("disabled"));
        browser.click("#layout-content a.delete");
        browser.click(".ui-dialog button.mainaction.delete");
        browser.awaitValue(renamed + " gone from the folder settings", RoundcubeIntegrationTest::folderSettings,
            folders -> !folders.contains(renamed) && folders.contains("Inbox"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(RoundcubeIntegrationTest::imapFolders, folders -> !folders.contains(renamed) && folders.contains("INBOX"));
        assertThat(imapFolders()).doesNotContain(created, renamed);
    }

    @Test
    @Order(9)
    void logoutEndsTheSession() throws Exception {
        openMail("INBOX");
        browser.click("#layout-menu a.logout");
        browser.awaitValue("the login form after logout", RoundcubeIntegrationTest::state,
            state -> state.contains("task=login") && state.contains("successfully terminated"));
        browser.open(roundcube.url() + "/?_task=mail&_mbox=INBOX");
        browser.element("#rcmloginuser");
        assertThat(browser.findAll("#mailboxlist")).as("no mailbox without logging in again").isEmpty();
    }

    // ---- in the browser

    /** Roundcube's task and action, whether it is busy, and the messages it shows (errors, confirmations). */
    static String state() {
        return browser.script("var m = document.getElementById('messagestack');"
            + "return (window.rcmail ? 'task=' + rcmail.env.task + ' action=' + rcmail.env.action + ' busy=' + rcmail.busy : 'loading')"
            + " + ' | ' + (m ? m.innerText : '');").asText();
    }

    static void logIn() {
        browser.element("#rcmloginuser").clear();
        browser.type("#rcmloginuser", DIEGO);
        browser.find("#rcmloginpwd").clear();
        browser.type("#rcmloginpwd", PASSWORD);
        browser.click("#rcmloginsubmit");
        browser.awaitValue("the mail view after login", RoundcubeIntegrationTest::state, state -> state.contains("task=mail"));
    }

    /** Opens a folder's message list (logging in when the session is gone) and waits until it is listed. */
    static void openMail(String folder) {
        String url = roundcube.url() + "/?_task=mail&_mbox=" + URLEncoder.encode(folder, StandardCharsets.UTF_8);
        browser.open(url);
        if (browser.awaitValue("a Roundcube page", RoundcubeIntegrationTest::state, state -> !state.startsWith("loading"))
                .contains("task=login")) {
            logIn();
            browser.open(url);
        }
        int held = count(folder);
        browser.awaitValue("the list of the " + held + " messages of " + folder, () -> browser.script(
            "return !!window.rcmail && rcmail.env.mailbox === arguments[0] && !rcmail.busy && document.readyState === 'complete'"
                + " && document.querySelectorAll('#messagelist tbody tr.message').length === arguments[1];", folder, held).asBoolean(),
            loaded -> loaded);
    }

    static void awaitComposeReady() {
        browser.awaitValue("the compose form ready (Roundcube takes its first snapshot of the fields)", () -> browser.script(
            "return !!window.rcmail && rcmail.env.action === 'compose' && rcmail.cmp_hash !== undefined && !rcmail.busy;").asBoolean(),
            ready -> ready);
    }

    static void openSettingsFolders() {
        String url = roundcube.url() + "/?_task=settings&_action=folders";
        browser.open(url);
        if (browser.awaitValue("a Roundcube page", RoundcubeIntegrationTest::state, state -> !state.startsWith("loading"))
                .contains("task=login")) {
            logIn();
            browser.open(url);
        }
        browser.element("#subscription-table");
    }

    static List<String> awaitFolderList(Predicate<List<String>> done) {
        return browser.awaitValue("the folder list", () -> strings(browser.script(
            "return Array.from(document.querySelectorAll('#mailboxlist li a')).map(a => a.getAttribute('rel'));")), done);
    }

    /** The subject cell of the listed message whose subject is exactly {@code subject}. */
    static HeadlessChromium.Element row(String subject) {
        return browser.findByXpath("//table[@id='messagelist']/tbody/tr[.//span[contains(@class,'subject')]/a/span[.='"
            + subject + "']]/td[contains(@class,'subject')]");
    }

    static List<String> listedSubjects() {
        return strings(browser.script("if (!window.rcmail || rcmail.busy) return null;"
            + "return Array.from(document.querySelectorAll('#messagelist tbody tr span.subject a')).map(a => a.textContent.trim());"));
    }

    /** More, Move to..., then the folder of the given kind (its class in the folder selector: inbox, junk, …). */
    static void moveSelectedTo(String folderClass) {
        browser.awaitValue("Move to... enabled for the selected message", () -> browser.find("#message-menu a.move").property("className"),
            classes -> !classes.contains("disabled"));
        browser.click("#messagemenulink");
        browser.click("#message-menu a.move");
        browser.click("#folder-selector li." + folderClass + " a");
    }

    static void awaitLeftCompose() {
        browser.awaitValue("Roundcube to send the message and leave the compose page", RoundcubeIntegrationTest::state,
            state -> state.startsWith("task=mail") && !state.contains("action=compose"));
    }

    /** The folder names in Settings, Folders. */
    static List<String> folderSettings() {
        return strings(browser.script(
            "return Array.from(document.querySelectorAll('#subscription-table li.mailbox > a')).map(a => a.textContent.trim());"));
    }

    static HeadlessChromium.Element folderSetting(String name) {
        return browser.findByXpath("//ul[@id='subscription-table']//li[contains(@class,'mailbox')]/a[.='" + name + "']");
    }

    static void awaitFolderSetting(String name) {
        browser.awaitValue(name + " in the folder settings", RoundcubeIntegrationTest::folderSettings, folders -> folders.contains(name));
    }

    /**
     * Opens the folder form in the settings frame ({@code open}: a click), for the folder {@code current}
     * ("" for a new one), fills it and saves it. Only a form loaded after the click is typed into (its
     * document's time origin is later), never the one shown before (the new folder's, after a save).
     */
    static void editFolder(String current, Runnable open, Runnable fill) {
        double clicked = browser.script("return Date.now();").asDouble();
        open.run();
        browser.awaitValue("the folder form for '" + current + "'", () -> browser.script(
            "var w = document.getElementById('preferences-frame').contentWindow, d = w && w.document,"
                + " name = d && d.getElementById('_name');"
                + "return !!name && d.readyState === 'complete' && w.performance.timeOrigin >= arguments[1]"
                + " && name.value === arguments[0];", current, clicked).asBoolean(), ready -> ready);
        browser.frame("#preferences-frame");
        try {
            fill.run();
            browser.click("button.submit");
        } finally {
            browser.topFrame();
        }
    }

    private static List<String> strings(JsonNode array) {
        if (array == null || !array.isArray()) {
            return null;
        }
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    // ---- over IMAP

    /**
     * A connected IMAPS store whose reads do not set {@code \Seen} ({@code BODY.PEEK}): the server sets it on a
     * plain {@code FETCH BODY[]} even in a folder opened read-only (EXAMINE), which RFC 3501 §6.3.2 forbids.
     */
    static Store store() throws Exception {
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.socketFactory", Clients.trusting(server.certificate()).getSocketFactory());
        properties.put("mail.imaps.ssl.checkserveridentity", "true");
        properties.put("mail.imaps.connectiontimeout", "10000");
        properties.put("mail.imaps.timeout", "30000");
        properties.put("mail.imaps.peek", "true");
        Store store = Session.getInstance(properties).getStore("imaps");
        store.connect("localhost", server.imapsPort(), DIEGO, PASSWORD);
        return store;
    }

    /** The raw text of every message of a folder, read again when a read fails (a FETCH racing a delivery). */
    static List<String> messages(String folderName) {
        return await("a read of " + folderName).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .ignoreExceptionsMatching(e -> e instanceof IOException || e instanceof MessagingException)
            .until(() -> {
                try (Store store = store()) {
                    Folder folder = store.getFolder(folderName);
                    folder.open(Folder.READ_ONLY);
                    try {
                        List<String> raw = new ArrayList<>();
                        for (Message message : folder.getMessages()) {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            message.writeTo(out);
                            raw.add(out.toString(StandardCharsets.UTF_8));
                        }
                        return raw;
                    } finally {
                        folder.close(false);
                    }
                }
            }, Objects::nonNull);
    }

    /** How many messages a folder holds. */
    static int count(String folderName) {
        try (Store store = store()) {
            return store.getFolder(folderName).getMessageCount();
        } catch (Exception e) {
            throw new IllegalStateException("counting the messages of " + folderName, e);
        }
    }

    static List<String> imapFolders() throws Exception {
        try (Store store = store()) {
            List<String> names = new ArrayList<>();
            for (Folder folder : store.getDefaultFolder().list("*")) {
                names.add(folder.getFullName());
            }
            return names;
        }
    }

    static List<String> subjects(String folder) throws Exception {
        List<String> subjects = new ArrayList<>();
        for (String raw : messages(folder)) {
            subjects.add(parse(raw).getSubject());
        }
        return subjects;
    }

    static Flags flags(String folderName, String subject) throws Exception {
        try (Store store = store()) {
            Folder folder = store.getFolder(folderName);
            folder.open(Folder.READ_ONLY);
            try {
                for (Message message : folder.getMessages()) {
                    if (subject.equals(message.getSubject())) {
                        return message.getFlags();
                    }
                }
                throw new AssertionError("no message with subject " + subject + " in " + folderName);
            } finally {
                folder.close(false);
            }
        }
    }

    static void append(String folderName, String message) throws Exception {
        try (Store store = store()) {
            store.getFolder(folderName).appendMessages(new Message[] {parse(message)});
        }
    }

    /** The message of {@code folder} whose subject is exactly {@code subject}, waiting for it up to 30 s. */
    static MimeMessage awaitMessage(String folder, String subject) throws Exception {
        return parse(await(folder + " to hold a message with the subject " + subject).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> messages(folder).stream().filter(raw -> subjectIs(raw, subject)).findFirst(),
                Optional::isPresent).get());
    }

    private static boolean subjectIs(String raw, String subject) {
        try {
            return subject.equals(parse(raw).getSubject());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void awaitGoneFrom(String folder, String subject) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> subjects(folder), subjects -> !subjects.contains(subject));
    }

    static MimeMessage parse(String raw) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }

    /** The part of a multipart message whose file name is {@code name}, or null. */
    static Part attachment(MimeMessage message, String name) throws Exception {
        if (!(message.getContent() instanceof MimeMultipart multipart)) {
            return null;
        }
        for (int i = 0; i < multipart.getCount(); i++) {
            if (name.equals(multipart.getBodyPart(i).getFileName())) {
                return multipart.getBodyPart(i);
            }
        }
        return null;
    }
}
