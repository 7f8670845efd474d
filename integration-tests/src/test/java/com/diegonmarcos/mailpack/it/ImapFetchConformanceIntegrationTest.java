package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 18: what FETCH, MOVE and STORE answer, as RFC vectors over a raw IMAP session against the packaged
 * server. Every message is APPENDed in the test's own text to a folder of its own; each expected answer is
 * the RFC's and the one Dovecot 2.3.19 gives for the same message (checked by hand with Debian's
 * dovecot-imapd). Each FETCH asks for one item with {@code .PEEK}, so the answer is exactly that item.
 */
class ImapFetchConformanceIntegrationTest {
    static final String USER = "fetch@diegonmarcos.com";
    static final String PASSWORD = "Rfc3501-Section-Vectors-Pass-7";
    private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID (\\d+) (\\d+)]");

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.inProcess();

    static SSLContext tls;

    @BeforeAll
    static void createUser() throws Exception {
        server.createUser(USER, PASSWORD);
        tls = Clients.trusting(server.certificate());
    }

    // ---- messages, CRLF-terminated lines --------------------------------------------------------------

    static String crlf(String... lines) {
        return String.join("\r\n", lines) + "\r\n";
    }

    /** A message/rfc822 top-level body whose encapsulated message is multipart/mixed with two text parts. */
    static final String INNER_MIXED_HEADER = crlf(
        "From: inner@example.org",
        "Subject: inner",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"b1\"",
        "");
    static final String INNER_MIXED_TEXT = crlf(
        "--b1",
        "Content-Type: text/plain",
        "",
        "part one",
        "--b1",
        "Content-Type: text/plain",
        "",
        "part two",
        "--b1--");
    static final String OUTER_HEADER = crlf(
        "From: outer@example.org",
        "To: box@example.org",
        "Subject: outer",
        "MIME-Version: 1.0",
        "Content-Type: message/rfc822",
        "");
    static final String RFC822_OF_MIXED = OUTER_HEADER + INNER_MIXED_HEADER + INNER_MIXED_TEXT;

    /** message/rfc822 inside message/rfc822. */
    static final String MIDDLE = crlf(
        "From: middle@example.org",
        "Subject: middle",
        "MIME-Version: 1.0",
        "Content-Type: message/rfc822",
        "",
        "From: inner@example.org",
        "Subject: inner",
        "",
        "innermost text");
    static final String RFC822_OF_RFC822 = crlf(
        "From: outer@example.org",
        "Subject: outer",
        "MIME-Version: 1.0",
        "Content-Type: message/rfc822",
        "") + MIDDLE;

    /** multipart/digest (parts default to message/rfc822, RFC 2046 §5.1.5) inside message/rfc822. */
    static final String RFC822_OF_DIGEST = crlf(
        "From: outer@example.org",
        "Subject: outer",
        "MIME-Version: 1.0",
        "Content-Type: message/rfc822",
        "",
        "From: digester@example.org",
        "Subject: digest",
        "MIME-Version: 1.0",
        "Content-Type: multipart/digest; boundary=\"d1\"",
        "",
        "--d1",
        "",
        "From: first@example.org",
        "Subject: first",
        "",
        "first body",
        "--d1",
        "",
        "From: second@example.org",
        "Subject: second",
        "",
        "second body",
        "--d1--");

    // ---- item 1: BODY[section] under a message/rfc822 top-level body (RFC 3501 §6.4.5) -----------------

    /**
     * RFC 3501 §6.4.5: a non-multipart message has one part, numbered 1; when that part is message/rfc822,
     * "1" is the whole encapsulated message (its header and body), "1.HEADER"/"1.TEXT" its header and text,
     * "1.n" the parts of its multipart body, "1.MIME" the MIME header of part 1 (the top-level header).
     */
    @ParameterizedTest(name = "RFC 3501 §6.4.5: BODY[{0}] of message/rfc822 around multipart/mixed")
    @CsvSource({"1", "1.HEADER", "1.TEXT", "1.MIME", "1.1", "1.2", "1.1.MIME", "1.HEADER.FIELDS (SUBJECT)", "TEXT"})
    void sectionsOfAnEncapsulatedMultipartMessage(String section) throws Exception {
        String expected = switch (section) {
            case "1", "TEXT" -> INNER_MIXED_HEADER + INNER_MIXED_TEXT;
            case "1.HEADER" -> INNER_MIXED_HEADER;
            case "1.TEXT" -> INNER_MIXED_TEXT;
            case "1.MIME" -> OUTER_HEADER;
            case "1.1" -> "part one";
            case "1.2" -> "part two";
            case "1.1.MIME" -> crlf("Content-Type: text/plain", "");
            case "1.HEADER.FIELDS (SUBJECT)" -> crlf("Subject: inner", "");
            default -> throw new IllegalArgumentException(section);
        };
        assertThat(fetchOne(RFC822_OF_MIXED, "BODY.PEEK[" + section + "]"))
            .isEqualTo("* 1 FETCH (BODY[" + section + "] " + literal(expected) + ")");
    }

    @ParameterizedTest(name = "RFC 3501 §6.4.5: BODY[{0}] of message/rfc822 around message/rfc822")
    @CsvSource({"1", "1.1", "1.TEXT", "1.HEADER.FIELDS (SUBJECT)", "1.1.HEADER", "1.1.TEXT"})
    void sectionsOfAMessageInsideAMessageInsideAMessage(String section) throws Exception {
        String innermost = crlf("From: inner@example.org", "Subject: inner", "", "innermost text");
        String expected = switch (section) {
            case "1" -> MIDDLE;
            case "1.1", "1.TEXT" -> innermost;
            case "1.HEADER.FIELDS (SUBJECT)" -> crlf("Subject: middle", "");
            case "1.1.HEADER" -> crlf("From: inner@example.org", "Subject: inner", "");
            case "1.1.TEXT" -> crlf("innermost text");
            default -> throw new IllegalArgumentException(section);
        };
        assertThat(fetchOne(RFC822_OF_RFC822, "BODY.PEEK[" + section + "]"))
            .isEqualTo("* 1 FETCH (BODY[" + section + "] " + literal(expected) + ")");
    }

    @ParameterizedTest(name = "RFC 3501 §6.4.5, RFC 2046 §5.1.5: BODY[{0}] of message/rfc822 around multipart/digest")
    @CsvSource({"1.1", "1.2.HEADER.FIELDS (SUBJECT)", "1.1.TEXT", "1.2.TEXT"})
    void sectionsOfAnEncapsulatedDigest(String section) throws Exception {
        String expected = switch (section) {
            case "1.1" -> crlf("From: first@example.org", "Subject: first", "", "first body").replaceFirst("\r\n$", "");
            case "1.2.HEADER.FIELDS (SUBJECT)" -> crlf("Subject: second", "");
            case "1.1.TEXT" -> "first body";
            case "1.2.TEXT" -> "second body";
            default -> throw new IllegalArgumentException(section);
        };
        assertThat(fetchOne(RFC822_OF_DIGEST, "BODY.PEEK[" + section + "]"))
            .isEqualTo("* 1 FETCH (BODY[" + section + "] " + literal(expected) + ")");
    }

    /**
     * RFC 3501 §7.4.2: a message/rfc822 body gives its basic fields, then the ENVELOPE and BODYSTRUCTURE of the
     * encapsulated message and its size in lines (as Dovecot answers, charset default "us-ascii" included).
     */
    @Test
    void bodystructureOfAnEncapsulatedMultipartMessage() throws Exception {
        String inner = "(NIL \"inner\" ((NIL NIL \"inner\" \"example.org\")) ((NIL NIL \"inner\" \"example.org\")) "
            + "((NIL NIL \"inner\" \"example.org\")) NIL NIL NIL NIL NIL)";
        String textPart = "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 8 0 NIL NIL NIL NIL)";
        int size = (INNER_MIXED_HEADER + INNER_MIXED_TEXT).length();
        // media types, subtypes, encodings and charset names are case-insensitive (RFC 2045 §5.1, §6.1)
        assertThat(fetchOne(RFC822_OF_MIXED, "BODYSTRUCTURE")).isEqualToIgnoringCase("* 1 FETCH (BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" "
            + size + " " + inner + " (" + textPart + textPart + " \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL) 14 NIL NIL NIL NIL))");
    }

    // ---- item 2: ENVELOPE address structure (RFC 3501 §7.4.2) -----------------------------------------

    /**
     * RFC 3501 §7.4.2 (address structure: personal name) with RFC 5322 §3.4's obsolete but common
     * {@code addr (Comment)} form: the comment is the personal name, as Dovecot gives it; a display name
     * wins over a trailing comment.
     */
    @Test
    void aCommentAfterTheAddressIsThePersonalName() throws Exception {
        String message = crlf(
            "From: user@domain.org (Real Name)",
            "To: \"Quoted\" <q@domain.org> (comment), plain@domain.org (Only Comment)",
            "Subject: envelope",
            "",
            "body");
        String from = "((\"Real Name\" NIL \"user\" \"domain.org\"))";
        assertThat(fetchOne(message, "ENVELOPE")).isEqualTo("* 1 FETCH (ENVELOPE (NIL \"envelope\" " + from + " " + from + " " + from
            + " ((\"Quoted\" NIL \"q\" \"domain.org\")(\"Only Comment\" NIL \"plain\" \"domain.org\")) NIL NIL NIL NIL))");
    }

    // ---- item 3: MOVE (RFC 6851 §4.3) ----------------------------------------------------------------

    /**
     * RFC 6851 §4.3's example: the COPYUID goes in an untagged OK before the EXPUNGEs (a client that
     * acts on the EXPUNGEs has already been told where the messages went), its source set in UIDs
     * (RFC 4315 §3) even for a MOVE by sequence numbers.
     */
    @Test
    void moveSendsCopyUidInAnUntaggedOkBeforeTheExpunges() throws Exception {
        try (ImapDialog imap = loggedIn()) {
            String folder = newFolder(imap);
            String target = newFolder(imap);
            long[] uids = new long[4];
            for (int i = 0; i < uids.length; i++) {
                uids[i] = append(imap, folder, crlf("Subject: move " + i, "", "body " + i));
            }
            assertOk(imap.command("s1", "SELECT " + folder), "s1");
            // message 1 gone: sequence numbers 2:3 are the third and fourth UIDs, not 2:3
            assertOk(imap.command("s2", "STORE 1 +FLAGS.SILENT (\\Deleted)"), "s2");
            assertOk(imap.command("s3", "EXPUNGE"), "s3");

            List<String> lines = imap.command("m1", "MOVE 2:3 " + target);
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).matches("\\* OK \\[COPYUID \\d+ " + uids[2] + ":" + uids[3] + " \\d+:\\d+] .*");
            assertThat(lines.subList(1, 3)).containsExactly("* 2 EXPUNGE", "* 2 EXPUNGE");
            assertThat(lines.get(3)).startsWith("m1 OK ").doesNotContain("COPYUID");
            assertThat(imap.command("s4", "STATUS " + target + " (MESSAGES)")).first().asString().endsWith("(MESSAGES 2)");
        }
    }

    /** RFC 6851 §3.3: UID MOVE likewise; the COPYUID names the moved UIDs and their new UIDs, first. */
    @Test
    void uidMoveSendsCopyUidBeforeTheExpunge() throws Exception {
        try (ImapDialog imap = loggedIn()) {
            String folder = newFolder(imap);
            String target = newFolder(imap);
            append(imap, folder, crlf("Subject: stays", "", "body"));
            long moved = append(imap, folder, crlf("Subject: moves", "", "body"));
            assertOk(imap.command("s1", "SELECT " + folder), "s1");
            List<String> lines = imap.command("m1", "UID MOVE " + moved + " " + target);
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).matches("\\* OK \\[COPYUID \\d+ " + moved + " 1] .*");
            assertThat(lines.get(1)).isEqualTo("* 2 EXPUNGE");
            assertThat(lines.get(2)).startsWith("m1 OK ");
        }
    }

    // ---- item 4: new keywords announced before a FETCH shows them (RFC 3501 §7.2.6) --------------------

    /**
     * RFC 3501 §7.2.6: FLAGS lists the flags applicable in the mailbox; a keyword another session stores
     * reaches this session as {@code * FLAGS} and {@code * OK [PERMANENTFLAGS]} naming it, before the
     * {@code * n FETCH (FLAGS ...)} that shows it on a message.
     */
    @ParameterizedTest(name = "RFC 3501 §7.2.6: keyword stored by another session, then {0}")
    @CsvSource({"NOOP", "FETCH 1 (FLAGS)"})
    void aKeywordStoredByAnotherSessionIsAnnouncedBeforeTheFetchShowingIt(String next) throws Exception {
        String keyword = next.equals("NOOP") ? "$Other1" : "$Other2";
        try (ImapDialog watcher = loggedIn(); ImapDialog writer = loggedIn()) {
            String folder = newFolder(writer);
            append(writer, folder, crlf("Subject: keyword", "", "body"));
            assertThat(watcher.command("w1", "SELECT " + folder)).noneMatch(line -> line.contains(keyword));
            assertOk(writer.command("x1", "SELECT " + folder), "x1");
            assertOk(writer.command("x2", "STORE 1 +FLAGS.SILENT (" + keyword + ")"), "x2");

            List<String> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                seen.addAll(watcher.command("w" + UUID.randomUUID().toString().substring(0, 6), next));
                assertThat(seen).anyMatch(line -> line.startsWith("* 1 FETCH") && line.contains(keyword));
            });
            assertKeywordAnnouncedBeforeFetch(seen, keyword);
        }
    }

    /**
     * RFC 3501 §7.2.6 and §6.3.11: a message APPENDed by another session with a keyword new to the mailbox;
     * the watcher learns of it (EXISTS) and fetches its flags: FLAGS names the keyword first.
     */
    @Test
    void aKeywordArrivingWithAnAppendedMessageIsAnnouncedBeforeTheFetchShowingIt() throws Exception {
        try (ImapDialog watcher = loggedIn(); ImapDialog writer = loggedIn()) {
            String folder = newFolder(writer);
            append(writer, folder, crlf("Subject: first", "", "body"));
            assertOk(watcher.command("w1", "SELECT " + folder), "w1");
            byte[] message = crlf("Subject: second", "", "body").getBytes(StandardCharsets.UTF_8);
            writer.send("x1 APPEND " + folder + " ($Arrived1) {" + message.length + "}");
            assertThat(writer.readLine()).startsWith("+");
            writer.sendRaw(message);
            writer.send("");
            assertOk(writer.readUntilTagged("x1"), "x1");

            List<String> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                seen.addAll(watcher.command("w" + UUID.randomUUID().toString().substring(0, 6), "NOOP"));
                assertThat(seen).contains("* 2 EXISTS");
            });
            seen.addAll(watcher.command("w2", "FETCH 2 (FLAGS)"));
            int fetch = indexOf(seen, line -> line.startsWith("* 2 FETCH") && line.contains("$Arrived1"));
            int flags = indexOf(seen, line -> line.startsWith("* FLAGS (") && line.contains("$Arrived1"));
            assertThat(fetch).as("FETCH showing $Arrived1 in %s", seen).isNotNegative();
            assertThat(flags).as("* FLAGS naming $Arrived1 in %s", seen).isNotNegative().isLessThan(fetch);
        }
    }

    /** RFC 3501 §7.2.6 and §6.4.6: the same when this session's own STORE brings the new keyword. */
    @Test
    void aKeywordStoredByThisSessionIsAnnouncedBeforeTheStoreFetch() throws Exception {
        try (ImapDialog imap = loggedIn()) {
            String folder = newFolder(imap);
            append(imap, folder, crlf("Subject: keyword", "", "body"));
            assertOk(imap.command("s1", "SELECT " + folder), "s1");
            List<String> lines = imap.command("s2", "STORE 1 +FLAGS ($Own1)");
            assertOk(lines, "s2");
            assertKeywordAnnouncedBeforeFetch(lines, "$Own1");
        }
    }

    private static void assertKeywordAnnouncedBeforeFetch(List<String> lines, String keyword) {
        int fetch = indexOf(lines, line -> line.startsWith("* 1 FETCH") && line.contains(keyword));
        int flags = indexOf(lines, line -> line.startsWith("* FLAGS (") && line.contains(keyword));
        int permanent = indexOf(lines, line -> line.startsWith("* OK [PERMANENTFLAGS (") && line.contains(keyword));
        assertThat(fetch).as("FETCH showing %s in %s", keyword, lines).isNotNegative();
        assertThat(flags).as("* FLAGS naming %s in %s", keyword, lines).isNotNegative().isLessThan(fetch);
        assertThat(permanent).as("* OK [PERMANENTFLAGS] naming %s in %s", keyword, lines).isNotNegative().isLessThan(fetch);
    }

    private static int indexOf(List<String> lines, java.util.function.Predicate<String> test) {
        for (int i = 0; i < lines.size(); i++) {
            if (test.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
    }

    // ---- EXAMINE is read-only (RFC 3501 §6.3.2) -----------------------------------------------------

    /**
     * §6.3.2: in a mailbox selected with EXAMINE "no changes to the permanent state of the mailbox,
     * including per-user state, are permitted"; §6.4.5 sets {@code \Seen} for BODY[] only where it may.
     * After SELECT the same FETCH does set it.
     */
    @Test
    void aBodyFetchedInAnExaminedMailboxStaysUnseen() throws Exception {
        try (ImapDialog imap = loggedIn()) {
            String folder = newFolder(imap);
            append(imap, folder, crlf("Subject: read only", "", "a body"));
            assertThat(imap.command("e1", "EXAMINE " + folder)).last().asString().startsWith("e1 OK [READ-ONLY]");
            List<String> fetched = imap.command("e2", "FETCH 1 (BODY[TEXT])");
            assertOk(fetched, "e2");
            assertThat(String.join("\n", fetched)).contains("a body").doesNotContain("\\Seen");
            assertThat(imap.command("e3", "FETCH 1 (FLAGS)")).first().asString().doesNotContain("\\Seen");

            assertThat(imap.command("s1", "SELECT " + folder)).last().asString().startsWith("s1 OK [READ-WRITE]");
            assertThat(imap.command("s2", "FETCH 1 (FLAGS)")).first().asString().doesNotContain("\\Seen");
            assertOk(imap.command("s3", "FETCH 1 (BODY[TEXT])"), "s3");
            assertThat(imap.command("s4", "FETCH 1 (FLAGS)")).first().asString().contains("\\Seen");
        }
    }

    /** §6.3.2: STORE, EXPUNGE and MOVE change nothing in an EXAMINEd mailbox; CLOSE there expunges nothing (§6.4.2). */
    @Test
    void anExaminedMailboxRefusesChangesAndCloseExpungesNothing() throws Exception {
        try (ImapDialog imap = loggedIn()) {
            String folder = newFolder(imap);
            String target = newFolder(imap);
            append(imap, folder, crlf("Subject: keep one", "", "one"));
            append(imap, folder, crlf("Subject: keep two", "", "two"));
            assertOk(imap.command("s1", "SELECT " + folder), "s1");
            assertOk(imap.command("s2", "STORE 2 +FLAGS.SILENT (\\Deleted)"), "s2");
            assertOk(imap.command("s3", "UNSELECT"), "s3");

            assertOk(imap.command("e1", "EXAMINE " + folder), "e1");
            assertThat(imap.command("e2", "STORE 1 +FLAGS (\\Flagged)")).last().asString().startsWith("e2 NO");
            assertThat(imap.command("e3", "EXPUNGE")).last().asString().startsWith("e3 NO");
            assertThat(imap.command("e4", "UID EXPUNGE 1:*")).last().asString().startsWith("e4 NO");
            assertThat(imap.command("e5", "MOVE 1 " + target)).last().asString().startsWith("e5 NO");
            assertOk(imap.command("e6", "COPY 1 " + target), "e6"); // the examined mailbox is left as it was
            assertThat(imap.command("e7", "CLOSE")).last().asString().startsWith("e7 OK");
            assertThat(imap.command("e8", "FETCH 1 (FLAGS)")).last().asString().matches("e8 (BAD|NO) .*"); // nothing selected

            assertThat(imap.command("t1", "STATUS " + folder + " (MESSAGES)")).first().asString().endsWith("(MESSAGES 2)");
            assertThat(imap.command("t2", "STATUS " + target + " (MESSAGES)")).first().asString().endsWith("(MESSAGES 1)");
            assertOk(imap.command("t3", "SELECT " + folder), "t3");
            List<String> flags = imap.command("t4", "FETCH 1:2 (FLAGS)");
            assertThat(flags.get(0)).doesNotContain("\\Flagged");
            assertThat(flags.get(1)).contains("\\Deleted");
            assertOk(imap.command("t5", "CLOSE"), "t5"); // a read-write CLOSE still expunges
            assertThat(imap.command("t6", "STATUS " + folder + " (MESSAGES)")).first().asString().endsWith("(MESSAGES 1)");
        }
    }

    // ---- the dialog ---------------------------------------------------------------------------------

    /** {@code message} APPENDed alone to a new folder, then {@code FETCH 1 (item)}: the untagged answer, CRLFs kept inside. */
    private static String fetchOne(String message, String item) throws IOException {
        try (ImapDialog imap = loggedIn()) {
            String folder = newFolder(imap);
            append(imap, folder, message);
            assertOk(imap.command("f1", "EXAMINE " + folder), "f1");
            List<String> lines = imap.command("f2", "FETCH 1 (" + item + ")");
            assertOk(lines, "f2");
            return String.join("\r\n", lines.subList(0, lines.size() - 1));
        }
    }

    private static String literal(String content) {
        return "{" + content.getBytes(StandardCharsets.UTF_8).length + "}\r\n" + content;
    }

    private static ImapDialog loggedIn() throws IOException {
        ImapDialog imap = ImapDialog.connectTls(server.imapsPort(), tls);
        assertOk(imap.command("a0", "LOGIN " + USER + " " + PASSWORD), "a0");
        return imap;
    }

    private static String newFolder(ImapDialog imap) throws IOException {
        String name = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        assertOk(imap.command("c0", "CREATE " + name), "c0");
        return name;
    }

    /** The message's UID from APPENDUID (RFC 4315 §3). */
    private static long append(ImapDialog imap, String folder, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        imap.send("p0 APPEND " + folder + " {" + bytes.length + "}");
        assertThat(imap.readLine()).startsWith("+");
        imap.sendRaw(bytes);
        imap.send("");
        List<String> lines = imap.readUntilTagged("p0");
        assertOk(lines, "p0");
        Matcher uid = APPENDUID.matcher(lines.get(lines.size() - 1));
        assertThat(uid.find()).as("APPENDUID in %s", lines).isTrue();
        return Long.parseLong(uid.group(2));
    }

    private static void assertOk(List<String> lines, String tag) {
        assertThat(lines).as("answer to %s", tag).last().asString().startsWith(tag + " OK");
    }
}
