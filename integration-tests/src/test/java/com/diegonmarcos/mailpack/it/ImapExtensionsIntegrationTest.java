package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18: the search and append extensions the packaged server announces, each through a raw IMAP dialog
 * on the IMAPS listener, with the RFCs' own examples where they give some: ESEARCH (RFC 4731), SEARCHRES
 * (RFC 5182), WITHIN (RFC 5032), UIDPLUS (RFC 4315); and the extensions James 3.8.1 has no command for
 * (SORT, ESORT, THREAD, BINARY, MULTIAPPEND, CATENATE), which must not be announced. Each test works in a
 * mailbox of its own, filled by APPEND.
 */
class ImapExtensionsIntegrationTest {
    static final String USER = "imapx@diegonmarcos.com";
    static final String PASSWORD = "Sorting-Passphrase-0001-Qz";
    private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID (\\d+) (\\d+)]");
    private static final Pattern COPYUID = Pattern.compile("\\[COPYUID (\\d+) (\\S+) (\\S+)]");
    private static final Pattern UIDVALIDITY = Pattern.compile("\\[UIDVALIDITY (\\d+)]");
    private static final Pattern FETCH = Pattern.compile("^\\* (\\d+) FETCH \\((.*)\\)$");
    private static final Pattern UID = Pattern.compile("UID (\\d+)");
    private static final DateTimeFormatter INTERNAL_DATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH);

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.inProcess();

    static SSLContext tls;

    private ImapDialog imap;
    private int tags;

    @BeforeAll
    static void createUser() throws Exception {
        server.createUser(USER, PASSWORD);
        tls = Clients.trusting(server.certificate());
    }

    @BeforeEach
    void login() throws IOException {
        imap = ImapDialog.connectTls(server.imapsPort(), tls);
        ok("LOGIN " + USER + " " + PASSWORD);
    }

    @AfterEach
    void logout() throws IOException {
        imap.close();
    }

    // ---- helpers ----

    private String tag() {
        return "t" + tags;
    }

    private List<String> run(String command) throws IOException {
        return imap.command("t" + (++tags), command);
    }

    private List<String> ok(String command) throws IOException {
        List<String> lines = run(command);
        assertThat(last(lines)).as(command + " -> " + lines).startsWith(tag() + " OK");
        return lines;
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    /** The tagged completion must be BAD, and the session must go on (RFC 3501 §7.1.3). */
    private void badAndSessionGoesOn(String command) throws IOException {
        List<String> lines = run(command);
        assertThat(last(lines)).as(command + " -> " + lines).startsWith(tag() + " BAD");
        ok("NOOP");
    }

    private String newMailbox() throws IOException {
        String name = "x-" + UUID.randomUUID().toString().substring(0, 8);
        ok("CREATE " + name);
        return name;
    }

    /** APPENDs one message; returns the tagged completion. */
    private String append(String mailbox, String flags, ZonedDateTime internalDate, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
        String date = internalDate == null ? "" : " \"" + INTERNAL_DATE.format(internalDate) + "\"";
        imap.send("t" + (++tags) + " APPEND " + mailbox + (flags.isEmpty() ? "" : " (" + flags + ")") + date + " {" + bytes.length + "+}");
        imap.sendRaw(bytes);
        imap.send("");
        List<String> lines = imap.readUntilTagged(tag());
        assertThat(last(lines)).as("APPEND -> " + lines).startsWith(tag() + " OK");
        return last(lines);
    }

    private String append(String mailbox, String flags) throws IOException {
        return append(mailbox, flags, null, Clients.message("alice@example.org", USER, "message " + (tags + 1), "body"));
    }

    /** A new mailbox holding one message per entry of {@code flags} (in that order), selected. */
    private String selectedMailboxWith(String... flags) throws IOException {
        String name = newMailbox();
        for (String flag : flags) {
            append(name, flag);
        }
        ok("SELECT " + name);
        return name;
    }

    private static List<String> untagged(List<String> lines, String prefix) {
        return lines.stream().filter(line -> line.startsWith(prefix)).collect(Collectors.toList());
    }

    private static String only(List<String> lines, String prefix) {
        List<String> found = untagged(lines, prefix);
        assertThat(found).as("one '" + prefix + "' line in " + lines).hasSize(1);
        return found.get(0);
    }

    /** The sequence numbers of the untagged FETCH responses among {@code lines}, as they came. */
    private static List<Integer> fetched(List<String> lines) {
        return lines.stream().map(FETCH::matcher).filter(Matcher::matches).map(m -> Integer.parseInt(m.group(1)))
            .collect(Collectors.toList());
    }

    /** The UIDs named by the untagged FETCH responses among {@code lines}. */
    private static List<Long> fetchedUids(List<String> lines) {
        return lines.stream().filter(line -> FETCH.matcher(line).matches()).map(UID::matcher).filter(Matcher::find)
            .map(m -> Long.parseLong(m.group(1))).collect(Collectors.toList());
    }

    /** The UIDs of messages 1..n of the selected mailbox. */
    private List<Long> uids() throws IOException {
        return fetchedUids(ok("FETCH 1:* (UID)"));
    }

    private List<String> capabilities() throws IOException {
        String line = only(ok("CAPABILITY"), "* CAPABILITY ");
        return Arrays.asList(line.substring("* CAPABILITY ".length()).split(" "));
    }

    @Nested
    class Announced {
        /**
         * What the server announces before and after LOGIN: the extensions tested below, and none of the
         * ones James 3.8.1 has no command for (RFC 3501 §7.2.1: a capability names what the server implements).
         */
        @Test
        void announcesTheTestedExtensionsAndNoneItLacks() throws IOException {
            List<String> unimplemented = List.of("SORT", "ESORT", "THREAD=REFERENCES", "THREAD=ORDEREDSUBJECT", "BINARY",
                "MULTIAPPEND", "CATENATE", "CONTEXT=SEARCH", "CONTEXT=SORT", "SORT=DISPLAY");
            List<String> afterLogin = capabilities();
            assertThat(afterLogin).contains("ESEARCH", "SEARCHRES", "WITHIN", "UIDPLUS").doesNotContainAnyElementsOf(unimplemented);
            assertThat(afterLogin.stream().filter(capability -> capability.startsWith("THREAD="))).isEmpty();
            try (ImapDialog anonymous = ImapDialog.connectTls(server.imapsPort(), tls)) {
                List<String> lines = anonymous.command("a1", "CAPABILITY");
                assertThat(last(lines)).startsWith("a1 OK");
                String line = only(lines, "* CAPABILITY ");
                assertThat(Arrays.asList(line.substring("* CAPABILITY ".length()).split(" ")))
                    .contains("ESEARCH", "SEARCHRES", "WITHIN", "UIDPLUS").doesNotContainAnyElementsOf(unimplemented);
            }
        }

        /** Commands of the extensions not announced are unknown (BAD), and the session goes on. */
        @Test
        void commandsOfExtensionsNotAnnouncedAreBad() throws IOException {
            selectedMailboxWith("", "");
            badAndSessionGoesOn("SORT (SUBJECT) UTF-8 ALL");
            badAndSessionGoesOn("UID SORT (ARRIVAL) UTF-8 ALL");
            badAndSessionGoesOn("THREAD REFERENCES UTF-8 ALL");
            badAndSessionGoesOn("FETCH 1 (BINARY[1])");
            assertThat(fetched(ok("FETCH 1:2 (UID)"))).containsExactly(1, 2);
        }
    }

    @Nested
    class Esearch {
        /** RFC 4731 §3.1 (example A282): MIN and COUNT of the matches, in one ESEARCH response, no SEARCH response. */
        @Test
        void rfc4731Section3_1MinAndCount() throws IOException {
            selectedMailboxWith("", "\\Flagged", "", "\\Flagged", "\\Flagged");
            List<String> lines = ok("SEARCH RETURN (MIN COUNT) FLAGGED");
            assertThat(only(lines, "* ESEARCH")).isEqualTo("* ESEARCH (TAG \"" + tag() + "\") MIN 2 COUNT 3");
            assertThat(untagged(lines, "* SEARCH")).isEmpty();
        }

        /** RFC 4731 §3.1 (example A283): an empty RETURN list is ALL, as a sequence-set. */
        @Test
        void rfc4731Section3_1EmptyReturnListIsAll() throws IOException {
            selectedMailboxWith("", "\\Flagged", "", "\\Flagged", "\\Flagged");
            List<String> lines = ok("SEARCH RETURN () FLAGGED");
            assertThat(only(lines, "* ESEARCH")).isEqualTo("* ESEARCH (TAG \"" + tag() + "\") ALL 2,4:5");
            assertThat(untagged(lines, "* SEARCH")).isEmpty();
        }

        /** RFC 4731 §3.1 (example A284): the first unseen message. */
        @Test
        void rfc4731Section3_1MinUnseen() throws IOException {
            selectedMailboxWith("\\Seen", "\\Seen", "\\Seen", "", "");
            assertThat(only(ok("SEARCH RETURN (MIN) UNSEEN"), "* ESEARCH")).isEqualTo("* ESEARCH (TAG \"" + tag() + "\") MIN 4");
        }

        /** RFC 4731 §3.1 (example A285): a UID SEARCH answers with the UID indicator, and UIDs. */
        @Test
        void rfc4731Section3_1UidSearchAnswersUids() throws IOException {
            selectedMailboxWith("", "", "", "");
            ok("STORE 1 +FLAGS.SILENT (\\Deleted)");
            ok("EXPUNGE");
            List<Long> uids = uids();
            assertThat(only(ok("UID SEARCH RETURN (MIN MAX) 1:5000"), "* ESEARCH"))
                .isEqualTo("* ESEARCH (TAG \"" + tag() + "\") UID MIN " + uids.get(0) + " MAX " + uids.get(uids.size() - 1));
            assertThat(only(ok("SEARCH RETURN (MIN MAX) 1:*"), "* ESEARCH"))
                .isEqualTo("* ESEARCH (TAG \"" + tag() + "\") MIN 1 MAX 3");
        }

        /** RFC 4731 §3.1 (example A286): the number of deleted messages. */
        @Test
        void rfc4731Section3_1CountDeleted() throws IOException {
            selectedMailboxWith("\\Deleted", "", "\\Deleted", "\\Deleted");
            assertThat(only(ok("SEARCH RETURN (COUNT) DELETED"), "* ESEARCH")).isEqualTo("* ESEARCH (TAG \"" + tag() + "\") COUNT 3");
        }

        /** RFC 4731 §3.1: without a match, MIN, MAX and ALL are left out, COUNT is 0, the ESEARCH response is still sent. */
        @Test
        void rfc4731Section3_1NoMatchAnswersCountZeroOnly() throws IOException {
            selectedMailboxWith("", "");
            assertThat(only(ok("SEARCH RETURN (MIN MAX ALL COUNT) KEYWORD nowhere"), "* ESEARCH"))
                .isEqualTo("* ESEARCH (TAG \"" + tag() + "\") COUNT 0");
            assertThat(only(ok("UID SEARCH RETURN (MIN MAX) KEYWORD nowhere"), "* ESEARCH"))
                .isEqualTo("* ESEARCH (TAG \"" + tag() + "\") UID");
        }
    }

    @Nested
    class SearchRes {
        /** RFC 5182 §2.1: SAVE alone "suppresses any SEARCH response"; §2.2 example 1: FETCH $ fetches what was found. */
        @Test
        void rfc5182Example1SaveAnswersNothingAndFetchFetchesTheFound() throws IOException {
            selectedMailboxWith("\\Flagged", "", "\\Flagged", "", "\\Flagged");
            List<String> saved = ok("SEARCH RETURN (SAVE) FLAGGED");
            assertThat(saved).as(saved.toString()).hasSize(1);
            assertThat(fetched(ok("FETCH $ (FLAGS)"))).containsExactly(1, 3, 5);
        }

        /** RFC 5182 §2.2 example 2 and §2.3: a FETCH $ pipelined after the SEARCH (SAVE) fetches what that SEARCH found. */
        @Test
        void rfc5182Example2PipelinedFetchUsesTheResultOfTheSearchBeforeIt() throws IOException {
            selectedMailboxWith("\\Flagged", "", "", "\\Flagged");
            ok("SEARCH RETURN (SAVE) ALL");
            String search = "t" + (++tags);
            String fetch = "t" + (++tags);
            imap.sendRaw((search + " SEARCH RETURN (SAVE) FLAGGED\r\n" + fetch + " FETCH $ (UID)\r\n").getBytes(StandardCharsets.US_ASCII));
            List<String> searched = imap.readUntilTagged(search);
            assertThat(last(searched)).as(searched.toString()).startsWith(search + " OK");
            List<String> fetchedLines = imap.readUntilTagged(fetch);
            assertThat(last(fetchedLines)).as(fetchedLines.toString()).startsWith(fetch + " OK");
            assertThat(fetched(fetchedLines)).containsExactly(1, 4);
        }

        /**
         * RFC 5182 §2.1, implementation note: "$" names messages; set by a SEARCH it is used by a UID FETCH, set
         * by a UID SEARCH by a FETCH. In a mailbox whose UIDs are not its sequence numbers.
         */
        @Test
        void rfc5182Section2_1DollarNamesMessagesWhetherSetByUidOrSequenceNumber() throws IOException {
            selectedMailboxWith("", "", "\\Flagged", "", "\\Flagged", "");
            ok("STORE 1:2 +FLAGS.SILENT (\\Deleted)");
            ok("EXPUNGE");
            List<Long> uids = uids();
            ok("SEARCH RETURN (SAVE) FLAGGED");
            assertThat(fetchedUids(ok("UID FETCH $ (FLAGS)"))).containsExactly(uids.get(0), uids.get(2));
            ok("UID SEARCH RETURN (SAVE) FLAGGED");
            assertThat(fetched(ok("FETCH $ (FLAGS)"))).containsExactly(1, 3);
            assertThat(fetchedUids(ok("UID FETCH $ (FLAGS)"))).containsExactly(uids.get(0), uids.get(2));
        }

        /** RFC 5182 §2.2 example 3: the result of one SEARCH as input to another, as "UID $" and as "$". */
        @Test
        void rfc5182Example3DollarInAnotherSearch() throws IOException {
            String mailbox = newMailbox();
            append(mailbox, "\\Flagged", null, Clients.message("a@example.org", USER, "small", "x"));
            append(mailbox, "", null, Clients.message("a@example.org", USER, "small", "x"));
            append(mailbox, "\\Flagged", null, Clients.message("a@example.org", USER, "big", "x".repeat(5000)));
            append(mailbox, "\\Flagged", null, Clients.message("a@example.org", USER, "small", "x"));
            ok("SELECT " + mailbox);
            ok("STORE 1 +FLAGS.SILENT (\\Deleted)");
            ok("EXPUNGE");
            List<Long> uids = uids();
            ok("SEARCH RETURN (SAVE) FLAGGED");
            String expected = "* SEARCH " + uids.get(2);
            assertThat(only(ok("UID SEARCH UID $ SMALLER 4096"), "* SEARCH")).isEqualTo(expected);
            assertThat(only(ok("UID SEARCH $ SMALLER 4096"), "* SEARCH")).isEqualTo(expected);
            assertThat(only(ok("SEARCH $ SMALLER 4096"), "* SEARCH")).isEqualTo("* SEARCH 3");
        }

        /** RFC 5182 §2.4: SAVE with MIN (or MAX) alone keeps that one message, and still answers it. */
        @Test
        void rfc5182Section2_4SaveWithMinKeepsTheMinimum() throws IOException {
            selectedMailboxWith("", "\\Flagged", "", "\\Flagged");
            assertThat(only(ok("SEARCH RETURN (SAVE MIN) FLAGGED"), "* ESEARCH")).isEqualTo("* ESEARCH (TAG \"" + tag() + "\") MIN 2");
            assertThat(fetched(ok("FETCH $ (UID)"))).containsExactly(2);
            assertThat(only(ok("SEARCH RETURN (SAVE MIN MAX) FLAGGED"), "* ESEARCH"))
                .isEqualTo("* ESEARCH (TAG \"" + tag() + "\") MIN 2 MAX 4");
            assertThat(fetched(ok("FETCH $ (UID)"))).containsExactly(2, 4);
            assertThat(only(ok("SEARCH RETURN (SAVE COUNT) FLAGGED"), "* ESEARCH")).isEqualTo("* ESEARCH (TAG \"" + tag() + "\") COUNT 2");
            assertThat(fetched(ok("FETCH $ (UID)"))).containsExactly(2, 4);
        }

        /** RFC 5182 §2.1: an expunged message leaves "$", and the others keep being found under their new numbers. */
        @Test
        void rfc5182Section2_1ExpungedMessagesLeaveTheSavedResult() throws IOException {
            selectedMailboxWith("\\Flagged", "", "\\Flagged", "", "\\Flagged");
            List<Long> uids = uids();
            ok("SEARCH RETURN (SAVE) FLAGGED");
            ok("STORE 1 +FLAGS.SILENT (\\Deleted)");
            ok("EXPUNGE");
            assertThat(fetched(ok("FETCH $ (UID)"))).containsExactly(2, 4);
            assertThat(fetchedUids(ok("UID FETCH $ (UID)"))).containsExactly(uids.get(2), uids.get(4));
        }

        /** RFC 5182 §2.2 example 6 and §2.1: "$" found nothing: a valid, non-matching set; a SELECT empties it. */
        @Test
        void rfc5182Example6EmptyResultAndSelectReset() throws IOException {
            String mailbox = selectedMailboxWith("\\Flagged", "");
            String other = newMailbox();
            ok("SEARCH RETURN (SAVE) KEYWORD nowhere");
            List<String> copy = ok("COPY $ " + other);
            assertThat(copy).as(copy.toString()).hasSize(1);
            assertThat(fetched(ok("FETCH $ (UID)"))).isEmpty();
            assertThat(only(ok("SEARCH $"), "* SEARCH")).isEqualTo("* SEARCH");
            assertThat(only(ok("UID SEARCH UID $"), "* SEARCH")).isEqualTo("* SEARCH");
            ok("SEARCH RETURN (SAVE) FLAGGED");
            assertThat(fetched(ok("FETCH $ (UID)"))).containsExactly(1);
            ok("SELECT " + mailbox);
            assertThat(fetched(ok("FETCH $ (UID)"))).isEmpty();
            assertThat(untagged(ok("STATUS " + other + " (MESSAGES)"), "* STATUS")).containsExactly("* STATUS \"" + other + "\" (MESSAGES 0)");
        }
    }

    @Nested
    class SearchAfterExpunge {
        /**
         * An EXPUNGE of messages in a row leaves the other messages found by SEARCH (RFC 3501 §6.4.4). James 3.8.1's
         * index deleted every message of the folder for a range of UIDs: the SEARCH answered nothing.
         */
        @Test
        void expungingMessagesInARowLeavesTheOthersSearchable() throws IOException {
            selectedMailboxWith("\\Flagged", "", "", "\\Flagged", "");
            ok("STORE 2:3 +FLAGS.SILENT (\\Deleted)");
            ok("EXPUNGE");
            assertThat(only(ok("SEARCH ALL"), "* SEARCH")).isEqualTo("* SEARCH 1 2 3");
            assertThat(only(ok("SEARCH FLAGGED"), "* SEARCH")).isEqualTo("* SEARCH 1 2");
        }
    }

    @Nested
    class Within {
        /** RFC 5032 §3: OLDER n / YOUNGER n compare the internal date with now minus n seconds. */
        @Test
        void rfc5032Section3OlderAndYoungerCompareTheInternalDate() throws IOException {
            String mailbox = newMailbox();
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            append(mailbox, "", now.minusDays(3), Clients.message("a@example.org", USER, "three days ago", "x"));
            append(mailbox, "", now.minusHours(2), Clients.message("a@example.org", USER, "two hours ago", "x"));
            append(mailbox, "", null, Clients.message("a@example.org", USER, "now", "x"));
            ok("SELECT " + mailbox);
            assertThat(only(ok("SEARCH YOUNGER 3600"), "* SEARCH")).isEqualTo("* SEARCH 3");
            assertThat(only(ok("SEARCH YOUNGER 86400"), "* SEARCH")).isEqualTo("* SEARCH 2 3");
            assertThat(only(ok("SEARCH OLDER 3600"), "* SEARCH")).isEqualTo("* SEARCH 1 2");
            assertThat(only(ok("SEARCH OLDER 86400"), "* SEARCH")).isEqualTo("* SEARCH 1");
            assertThat(only(ok("SEARCH OLDER 3600 YOUNGER 86400"), "* SEARCH")).isEqualTo("* SEARCH 2");
        }

        /** RFC 5032 §4: the interval is an nz-number: 0 and words are syntax errors. */
        @Test
        void rfc5032Section4IntervalMustBeANonZeroNumber() throws IOException {
            selectedMailboxWith("");
            badAndSessionGoesOn("SEARCH YOUNGER 0");
            badAndSessionGoesOn("SEARCH OLDER abc");
        }
    }

    @Nested
    class UidPlus {
        /** RFC 4315 §3: APPEND answers [APPENDUID uidvalidity uid] naming the message appended. */
        @Test
        void rfc4315Section3AppendUid() throws IOException {
            String mailbox = newMailbox();
            Matcher appended = APPENDUID.matcher(append(mailbox, ""));
            assertThat(appended.find()).isTrue();
            List<String> select = ok("SELECT " + mailbox);
            Matcher validity = UIDVALIDITY.matcher(String.join("\n", select));
            assertThat(validity.find()).isTrue();
            assertThat(appended.group(1)).isEqualTo(validity.group(1));
            assertThat(uids()).containsExactly(Long.parseLong(appended.group(2)));
        }

        /** RFC 4315 §3 (example A003): COPY answers [COPYUID uidvalidity source-uids destination-uids]. */
        @Test
        void rfc4315Section3CopyUid() throws IOException {
            selectedMailboxWith("", "", "");
            List<Long> source = uids();
            String destination = newMailbox();
            append(destination, "");
            List<String> copy = ok("COPY 2:3 " + destination);
            Matcher copied = COPYUID.matcher(last(copy));
            assertThat(copied.find()).as(copy.toString()).isTrue();
            assertThat(copied.group(2)).isEqualTo(source.get(1) + ":" + source.get(2));
            Matcher validity = UIDVALIDITY.matcher(String.join("\n", ok("SELECT " + destination)));
            assertThat(validity.find()).isTrue();
            assertThat(copied.group(1)).isEqualTo(validity.group(1));
            List<Long> destinationUids = uids();
            assertThat(copied.group(3)).isEqualTo(destinationUids.get(1) + ":" + destinationUids.get(2));
        }

        /** RFC 4315 §2.1 (example A003): UID EXPUNGE removes the \Deleted messages of the set, and no others. */
        @Test
        void rfc4315Section2_1UidExpungeLeavesOtherDeletedMessages() throws IOException {
            selectedMailboxWith("\\Deleted", "\\Deleted", "\\Deleted", "", "\\Deleted");
            List<Long> uids = uids();
            List<String> lines = ok("UID EXPUNGE " + uids.get(1) + ":" + uids.get(3));
            assertThat(lines.stream().filter(line -> line.endsWith(" EXPUNGE"))).containsExactly("* 2 EXPUNGE", "* 2 EXPUNGE");
            assertThat(uids()).containsExactly(uids.get(0), uids.get(3), uids.get(4));
            List<String> search = ok("SEARCH DELETED");
            assertThat(only(search, "* SEARCH")).isEqualTo("* SEARCH 1 3");
        }
    }
}
