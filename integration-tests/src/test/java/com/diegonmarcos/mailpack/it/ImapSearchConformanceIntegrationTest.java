package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IMAP SEARCH as RFC 3501 §6.4.4 defines it, over a raw IMAP socket against the packaged server:
 * string keys match substrings, case-insensitively, of the decoded header field or body (RFC 2047
 * encoded words; quoted-printable and base64 bodies in their charset, RFC 2045), {@code SENT*}
 * compare the day the Date: header names, disregarding time and time zone; the other keys and
 * AND/OR/NOT combine with them as before. Four messages are appended once; each case is a
 * {@code UID SEARCH} and the messages it must answer, exactly.
 */
class ImapSearchConformanceIntegrationTest {
    static final String USER = "searcher@diegonmarcos.com";
    static final String PASSWORD = "Substring-Passphrase-0001-Qz";
    private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.inProcess();

    static final Map<String, Long> UIDS = new HashMap<>();
    static ImapDialog imap;
    static int tags;

    /** Addresses, a subject and an extra header worth searching inside; sent at midnight +0200: the 25th locally, the 24th in UTC. */
    static final String WORLD = String.join("\r\n",
        "From: RealFrom <user-from@domain.org>",
        "To: user-to@domain.org",
        "Cc: Carbon Copy <user-cc@domain.org>",
        "Bcc: user-bcc@domain.org",
        "Subject: A beautiful world",
        "X-Extra: a beautiful header",
        "Date: Sun, 25 Mar 2007 00:00 +0200",
        "Message-ID: <world@domain.org>",
        "",
        "asdfghjkl qwerty",
        "");

    /** Encoded words in From and Subject; a quoted-printable ISO-8859-1 body with a soft line break; the 24th locally, the 25th in UTC. */
    static final String KOELN = String.join("\r\n",
        "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.net>",
        "To: friends@example.net",
        "Subject: =?ISO-8859-1?Q?Gr=FC=DFe_aus_K=F6ln?=",
        "Date: Sat, 24 Mar 2007 23:30:00 -0700",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=ISO-8859-1",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Sch=F6ne Gr=FC=DFe, zebra=",
        "stripes",
        "");

    /** No Date: header; a base64 UTF-8 text part in a multipart (its SENT* day: the internal date, 01-Feb-2010). */
    static final String UNDATED = String.join("\r\n",
        "From: robot@example.com",
        "To: user-to@domain.org",
        "Subject: undated",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"b1\"",
        "",
        "--b1",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: base64",
        "",
        java.util.Base64.getMimeEncoder().encodeToString("Ünïcödé haystack with a needle-in-base64 inside".getBytes(StandardCharsets.UTF_8)),
        "--b1--",
        "");

    static final String OTHER = String.join("\r\n",
        "From: Other Person <other@example.com>",
        "To: someone@example.com",
        "Subject: unrelated",
        "Date: Mon, 26 Mar 2007 12:00:00 +0000",
        "",
        "nothing to see",
        "");

    @BeforeAll
    static void append() throws Exception {
        server.createUser(USER, PASSWORD);
        SSLContext tls = Clients.trusting(server.certificate());
        imap = ImapDialog.connectTls(server.imapsPort(), tls);
        assertThat(command("LOGIN " + USER + " " + PASSWORD)).last().asString().contains("OK");
        append("world", "(\\Seen)", "\"25-Mar-2007 12:00:00 +0000\"", WORLD);
        append("koeln", "()", "\"25-Mar-2007 12:00:00 +0000\"", KOELN);
        append("undated", "()", "\"01-Feb-2010 10:00:00 +0000\"", UNDATED);
        append("other", "()", "\"26-Mar-2007 12:00:00 +0000\"", OTHER);
        assertThat(command("SELECT INBOX")).last().asString().contains("OK");
    }

    @AfterAll
    static void logout() throws IOException {
        if (imap != null) {
            imap.close();
        }
    }

    private static String tag() {
        return "s" + ++tags;
    }

    private static List<String> command(String command) throws IOException {
        return imap.command(tag(), command);
    }

    private static void append(String name, String flags, String date, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        String tag = tag();
        imap.send(tag + " APPEND INBOX " + flags + " " + date + " {" + bytes.length + "}");
        assertThat(imap.readLine()).startsWith("+");
        imap.sendRaw(bytes);
        imap.send("");
        List<String> answer = imap.readUntilTagged(tag);
        Matcher uid = APPENDUID.matcher(answer.get(answer.size() - 1));
        assertThat(uid.find()).as("APPENDUID in %s", answer).isTrue();
        UIDS.put(name, Long.parseLong(uid.group(1)));
    }

    /** {@code UID SEARCH} with the criteria; a UTF-8 string goes as a literal after {@code CHARSET UTF-8}. */
    private static TreeSet<Long> search(String criteria, String utf8Literal) throws IOException {
        String tag = tag();
        List<String> answer;
        if (utf8Literal == null) {
            answer = imap.command(tag, "UID SEARCH " + criteria);
        } else {
            byte[] literal = utf8Literal.getBytes(StandardCharsets.UTF_8);
            imap.send(tag + " UID SEARCH CHARSET UTF-8 " + criteria + " {" + literal.length + "}");
            assertThat(imap.readLine()).startsWith("+");
            imap.sendRaw(literal);
            imap.send("");
            answer = imap.readUntilTagged(tag);
        }
        assertThat(answer).last().asString().startsWith(tag + " OK");
        TreeSet<Long> uids = new TreeSet<>();
        answer.stream().filter(line -> line.startsWith("* SEARCH")).forEach(line -> Arrays.stream(line.substring(8).trim().split(" "))
            .filter(word -> !word.isEmpty()).forEach(word -> uids.add(Long.parseLong(word))));
        return uids;
    }

    static Arguments vector(String source, String criteria, String... expected) {
        return Arguments.of(source, criteria, null, List.of(expected));
    }

    static Arguments utf8(String source, String criteria, String literal, String... expected) {
        return Arguments.of(source, criteria, literal, List.of(expected));
    }

    static Stream<Arguments> vectors() {
        return Stream.of(
            vector("RFC 3501 §6.4.4 FROM: the address inside a display name", "FROM user-from@domain.org", "world"),
            vector("RFC 3501 §6.4.4 FROM: the domain part", "FROM domain.org", "world"),
            vector("RFC 3501 §6.4.4 FROM: inside a word", "FROM ser-fro", "world"),
            vector("RFC 3501 §6.4.4 FROM: the display name, other case", "FROM \"ealFROM\"", "world"),
            vector("RFC 3501 §6.4.4 TO: a substring", "TO ser-to@dom", "world", "undated"),
            vector("RFC 3501 §6.4.4 CC: display name and address", "CC \"opy <user-cc\"", "world"),
            vector("RFC 3501 §6.4.4 BCC: a substring", "BCC bcc@domain", "world"),
            vector("RFC 3501 §6.4.4 SUBJECT: across words, inside them", "SUBJECT \"eautiful worl\"", "world"),
            vector("RFC 3501 §6.4.4 HEADER: a field by name, substring", "HEADER X-Extra \"eautiful head\"", "world"),
            vector("RFC 3501 §6.4.4 HEADER: the name is case-insensitive", "HEADER x-extra EAUTIFUL", "world"),
            vector("RFC 3501 §6.4.4 TEXT: inside a word of the body", "TEXT sdfghjk", "world"),
            vector("RFC 3501 §6.4.4 TEXT: the header too", "TEXT \"eautiful worl\"", "world"),
            vector("RFC 3501 §6.4.4 BODY: inside a word of the body", "BODY sdfghjk", "world"),
            vector("RFC 3501 §6.4.4 BODY: not the header", "BODY \"eautiful worl\""),
            utf8("RFC 2047 §6.1 FROM: an encoded word, decoded", "FROM", "jürgen mü", "koeln"),
            utf8("RFC 2047 §6.1 SUBJECT: ISO-8859-1 encoded word, decoded", "SUBJECT", "grüße aus k", "koeln"),
            utf8("RFC 2045 §6.7 BODY: quoted-printable ISO-8859-1, decoded", "BODY", "höne grü", "koeln"),
            vector("RFC 2045 §6.7 BODY: a soft line break joins", "BODY ebrastripe", "koeln"),
            vector("RFC 2045 §6.8 BODY: base64 text part, decoded", "BODY eedle-in-base6", "undated"),
            utf8("RFC 2045 §6.8 TEXT: base64 UTF-8, other case", "TEXT", "NÏCÖDÉ HAY", "undated"),
            vector("RFC 3501 §6.4.4 SENTON: the Date: header's own day (+0200 midnight)", "SENTON 25-Mar-2007", "world"),
            vector("RFC 3501 §6.4.4 SENTON: the Date: header's own day (-0700 evening)", "SENTON 24-Mar-2007", "koeln"),
            vector("RFC 3501 §6.4.4 SENTBEFORE: earlier day only", "SENTBEFORE 25-Mar-2007", "koeln"),
            vector("RFC 3501 §6.4.4 SENTSINCE: that day or later", "SENTSINCE 25-Mar-2007", "world", "undated", "other"),
            vector("RFC 3501 §6.4.4 SENTON: no Date: header, the internal date", "SENTON 01-Feb-2010", "undated"),
            vector("RFC 3501 §6.4.4 NOT with a string key", "NOT FROM domain.org", "koeln", "undated", "other"),
            vector("RFC 3501 §6.4.4 OR of string keys", "OR SUBJECT \"eautiful worl\" BODY needle-in-base64", "world", "undated"),
            vector("RFC 3501 §6.4.4 AND with a flag", "SEEN FROM domain.org", "world"),
            vector("RFC 3501 §6.4.4 AND with a flag, none", "UNSEEN FROM domain.org"),
            vector("RFC 3501 §6.4.4 AND with an internal date", "SINCE 26-Mar-2007 TO ser-to", "undated"));
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("vectors")
    void searchAnswersExactlyTheMatchingMessages(String source, String criteria, String literal, List<String> expected) throws IOException {
        TreeSet<Long> uids = new TreeSet<>();
        expected.forEach(name -> uids.add(UIDS.get(name)));
        assertThat(search(criteria, literal)).as(source).containsExactlyElementsOf(uids);
    }
}
