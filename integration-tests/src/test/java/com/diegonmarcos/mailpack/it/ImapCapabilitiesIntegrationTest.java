package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
 * Issue 18: IMAP extensions clients rely on, as the RFCs write them, through a raw IMAP dialog against the
 * packaged server (shipped conf): CONDSTORE with QRESYNC (RFC 7162), LIST-EXTENDED (RFC 5258) and the ACL
 * rights capability (RFC 4314). Each test works in a mailbox of its own, filled by APPEND.
 */
class ImapCapabilitiesIntegrationTest {
    static final String USER = "caps@diegonmarcos.com";
    static final String PASSWORD = "Capabilities-Passphrase-0001-Qz";
    private static final Pattern HIGHESTMODSEQ = Pattern.compile("\\[HIGHESTMODSEQ (\\d+)]");
    private static final Pattern UIDVALIDITY = Pattern.compile("\\[UIDVALIDITY (\\d+)]");
    private static final Pattern FETCH = Pattern.compile("^\\* (\\d+) FETCH \\((.*)\\)$");
    private static final Pattern MODSEQ = Pattern.compile("MODSEQ \\((\\d+)\\)");
    private static final Pattern UID = Pattern.compile("UID (\\d+)");

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

    private List<String> run(String command) throws IOException {
        return imap.command("t" + (++tags), command);
    }

    private List<String> ok(String command) throws IOException {
        List<String> lines = run(command);
        assertThat(last(lines)).as(command + " -> " + lines).startsWith("t" + tags + " OK");
        return lines;
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    /** The tagged completion must be BAD, and the session must go on (RFC 3501 §7.1.3). */
    private void badAndSessionGoesOn(String command) throws IOException {
        List<String> lines = run(command);
        assertThat(last(lines)).as(command + " -> " + lines).startsWith("t" + tags + " BAD");
        ok("NOOP");
    }

    /** A new mailbox with {@code count} messages, selected with CONDSTORE; returns its name. */
    private String mailboxWith(int count) throws IOException {
        String name = "caps-" + UUID.randomUUID().toString().substring(0, 8);
        ok("CREATE " + name);
        for (int i = 1; i <= count; i++) {
            byte[] message = Clients.message("alice@example.org", USER, "message " + i, "body " + i).getBytes(StandardCharsets.US_ASCII);
            imap.send("t" + (++tags) + " APPEND " + name + " {" + message.length + "+}");
            imap.sendRaw(message);
            imap.send("");
            assertThat(last(imap.readUntilTagged("t" + tags))).startsWith("t" + tags + " OK");
        }
        return name;
    }

    private static long highestModSeq(List<String> lines) {
        return lines.stream().map(HIGHESTMODSEQ::matcher).filter(Matcher::find).mapToLong(m -> Long.parseLong(m.group(1)))
            .findFirst().orElseThrow(() -> new AssertionError("no [HIGHESTMODSEQ n] in " + lines));
    }

    private static long uidValidity(List<String> lines) {
        return lines.stream().map(UIDVALIDITY::matcher).filter(Matcher::find).mapToLong(m -> Long.parseLong(m.group(1)))
            .findFirst().orElseThrow(() -> new AssertionError("no [UIDVALIDITY n] in " + lines));
    }

    /** The sequence numbers of the untagged FETCH responses among {@code lines}. */
    private static List<Integer> fetched(List<String> lines) {
        return lines.stream().map(FETCH::matcher).filter(Matcher::matches).map(m -> Integer.parseInt(m.group(1)))
            .sorted().collect(Collectors.toList());
    }

    private long modSeqOf(int sequence) throws IOException {
        List<String> lines = ok("FETCH " + sequence + " (MODSEQ)");
        return lines.stream().map(MODSEQ::matcher).filter(Matcher::find).mapToLong(m -> Long.parseLong(m.group(1)))
            .findFirst().orElseThrow(() -> new AssertionError("no MODSEQ in " + lines));
    }

    private long uidOf(int sequence) throws IOException {
        List<String> lines = ok("FETCH " + sequence + " (UID)");
        return lines.stream().map(UID::matcher).filter(Matcher::find).mapToLong(m -> Long.parseLong(m.group(1)))
            .findFirst().orElseThrow(() -> new AssertionError("no UID in " + lines));
    }

    private List<String> capabilities() throws IOException {
        List<String> lines = ok("CAPABILITY");
        String line = lines.stream().filter(l -> l.startsWith("* CAPABILITY ")).findFirst().orElseThrow();
        return Arrays.asList(line.substring("* CAPABILITY ".length()).split(" "));
    }

    private static List<String> listed(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("* LIST ")).map(l -> l.substring(l.lastIndexOf(' ') + 1).replace("\"", ""))
            .sorted().collect(Collectors.toList());
    }

    @Nested
    class Condstore {
        /** RFC 7162 §3.2: a server that announces QRESYNC must also announce CONDSTORE. */
        @Test
        void rfc7162Section3_2QresyncIsAnnouncedWithCondstore() throws IOException {
            assertThat(capabilities()).contains("QRESYNC", "CONDSTORE");
        }

        /**
         * RFC 7162 §3.1.2.1: SELECT (CONDSTORE) answers HIGHESTMODSEQ, "the highest mod-sequence value of all
         * messages in the mailbox" (none above it, on the first SELECT too); after a STORE it is at least the
         * message's MODSEQ.
         */
        @Test
        void rfc7162Section3_1_2_1HighestModSeqFollowsAStore() throws IOException {
            String mailbox = mailboxWith(3);
            long before = highestModSeq(ok("SELECT " + mailbox + " (CONDSTORE)"));
            for (int i = 1; i <= 3; i++) {
                assertThat(modSeqOf(i)).as("MODSEQ of message " + i).isLessThanOrEqualTo(before);
            }
            ok("STORE 2 +FLAGS.SILENT (\\Flagged)");
            long stored = modSeqOf(2);
            assertThat(stored).isGreaterThan(before);
            ok("CLOSE");
            long after = highestModSeq(ok("EXAMINE " + mailbox + " (CONDSTORE)"));
            assertThat(after).isGreaterThanOrEqualTo(stored).isGreaterThan(before);
            ok("CLOSE");
            assertThat(highestModSeq(ok("SELECT " + mailbox + " (CONDSTORE)"))).isEqualTo(after);
        }

        /** RFC 7162 §3.1.4.1: FETCH ... (CHANGEDSINCE n) returns exactly the messages whose mod-sequence is above n. */
        @Test
        void rfc7162Section3_1_4_1FetchChangedSinceReturnsOnlyChangedMessages() throws IOException {
            String mailbox = mailboxWith(5);
            long base = highestModSeq(ok("SELECT " + mailbox + " (CONDSTORE)"));
            ok("STORE 2 +FLAGS.SILENT (\\Seen)");
            ok("STORE 4 +FLAGS.SILENT ($Label1)");
            List<String> lines = ok("FETCH 1:* (FLAGS) (CHANGEDSINCE " + base + ")");
            assertThat(fetched(lines)).as(lines.toString()).containsExactly(2, 4);
            assertThat(lines.stream().filter(l -> FETCH.matcher(l).matches())).allMatch(l -> l.contains("MODSEQ ("));
            assertThat(fetched(ok("FETCH 1:* (FLAGS) (CHANGEDSINCE " + modSeqOf(4) + ")"))).isEmpty();
        }

        /** RFC 7162 §3.1.5: SEARCH MODSEQ n finds the messages whose mod-sequence is n or more, and says the highest. */
        @Test
        void rfc7162Section3_1_5SearchModSeq() throws IOException {
            String mailbox = mailboxWith(4);
            ok("SELECT " + mailbox + " (CONDSTORE)");
            ok("STORE 1 +FLAGS.SILENT (\\Answered)");
            ok("STORE 3 +FLAGS.SILENT (\\Answered)");
            long first = modSeqOf(1);
            long third = modSeqOf(3);
            List<String> lines = ok("SEARCH MODSEQ " + first);
            String search = lines.stream().filter(l -> l.startsWith("* SEARCH")).findFirst().orElseThrow(() -> new AssertionError(lines));
            assertThat(search).isEqualTo("* SEARCH 1 3 (MODSEQ " + Math.max(first, third) + ")");
            List<String> later = ok("SEARCH MODSEQ " + (third + 1));
            assertThat(later).contains("* SEARCH");
        }

        /** RFC 7162 §3.1.3 (example d105): STORE (UNCHANGEDSINCE n) leaves messages changed after n alone and names them in [MODIFIED]. */
        @Test
        void rfc7162Section3_1_3StoreUnchangedSinceAnswersModified() throws IOException {
            String mailbox = mailboxWith(5);
            long base = highestModSeq(ok("SELECT " + mailbox + " (CONDSTORE)"));
            ok("STORE 5 +FLAGS.SILENT (\\Flagged)");
            List<String> lines = ok("STORE 3,5 (UNCHANGEDSINCE " + base + ") +FLAGS.SILENT (\\Deleted)");
            assertThat(last(lines)).as(lines.toString()).startsWith("t" + tags + " OK [MODIFIED 5]");
            assertThat(ok("FETCH 5 (FLAGS)")).noneMatch(l -> l.contains("\\Deleted"));
            assertThat(ok("FETCH 3 (FLAGS)")).anyMatch(l -> l.contains("\\Deleted"));
            // RFC 7162 §3.1.3: with UNCHANGEDSINCE 0 every message fails the test
            List<String> zero = ok("STORE 1,2 (UNCHANGEDSINCE 0) +FLAGS.SILENT (\\Seen)");
            assertThat(last(zero)).as(zero.toString()).startsWith("t" + tags + " OK [MODIFIED 1:2]");
        }

        /** RFC 7162 §3.2.5: SELECT (QRESYNC (uidvalidity modseq)) sends the flags of the messages changed since modseq. */
        @Test
        void rfc7162Section3_2_5QresyncSelectReportsChangedMessages() throws IOException {
            String mailbox = mailboxWith(4);
            List<String> select = ok("SELECT " + mailbox + " (CONDSTORE)");
            long validity = uidValidity(select);
            long base = highestModSeq(select);
            ok("STORE 3 +FLAGS.SILENT (\\Seen)");
            long uid = uidOf(3);
            ok("CLOSE");
            ok("ENABLE QRESYNC");
            List<String> lines = ok("SELECT " + mailbox + " (QRESYNC (" + validity + " " + base + "))");
            List<String> fetches = lines.stream().filter(l -> FETCH.matcher(l).matches()).collect(Collectors.toList());
            assertThat(fetches).as(lines.toString()).hasSize(1);
            assertThat(fetches.get(0)).contains("UID " + uid).contains("\\Seen").contains("MODSEQ (");
        }

        /** RFC 7162 §3.1.4 (fetch-modifier): a CHANGEDSINCE that is not a mod-sequence is a syntax error; the session goes on. */
        @Test
        void rfc7162Section3_1_4BadChangedSinceIsBad() throws IOException {
            String mailbox = mailboxWith(1);
            ok("SELECT " + mailbox + " (CONDSTORE)");
            badAndSessionGoesOn("FETCH 1:* (FLAGS) (CHANGEDSINCE abc)");
            badAndSessionGoesOn("STORE 1 (UNCHANGEDSINCE -1) +FLAGS (\\Seen)");
            badAndSessionGoesOn("SEARCH MODSEQ xyz");
            ok("FETCH 1 (FLAGS)");
        }
    }

    @Nested
    class ListExtended {
        /** RFC 5258 §3 (example 4): several patterns in parentheses, the union of their matches. */
        @Test
        void rfc5258Section3PatternListIsTheUnionOfItsPatterns() throws IOException {
            String prefix = "lx" + UUID.randomUUID().toString().substring(0, 6);
            ok("CREATE " + prefix + "Sent");
            ok("CREATE " + prefix + "SentOld");
            ok("CREATE " + prefix + "Drafts");
            List<String> lines = ok("LIST \"\" (\"INBOX\" \"" + prefix + "Sent*\")");
            assertThat(listed(lines)).as(lines.toString()).containsExactly("INBOX", prefix + "Sent", prefix + "SentOld");
            // a mailbox matched by two patterns is listed once
            List<String> twice = ok("LIST \"\" (\"" + prefix + "Sent\" \"" + prefix + "Sent*\")");
            assertThat(listed(twice)).as(twice.toString()).containsExactly(prefix + "Sent", prefix + "SentOld");
        }

        /** RFC 5258 §3.1: RECURSIVEMATCH alone (without a base selection option) is BAD. */
        @Test
        void rfc5258Section3_1RecursiveMatchAloneIsBad() throws IOException {
            badAndSessionGoesOn("LIST (RECURSIVEMATCH) \"\" \"*\"");
            badAndSessionGoesOn("LIST (RECURSIVEMATCH REMOTE) \"\" \"*\"");
            ok("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"*\"");
        }

        /** RFC 5258 §3.1: SUBSCRIBED lists subscribed mailboxes only, each with \Subscribed, a deleted one with \NonExistent. */
        @Test
        void rfc5258Section3_1SubscribedSelectsSubscribedMailboxes() throws IOException {
            String prefix = "sx" + UUID.randomUUID().toString().substring(0, 6);
            ok("CREATE " + prefix + "A");
            ok("CREATE " + prefix + "B");
            ok("CREATE " + prefix + "C");
            ok("SUBSCRIBE " + prefix + "A");
            ok("SUBSCRIBE " + prefix + "C");
            ok("DELETE " + prefix + "C");
            List<String> lines = ok("LIST (SUBSCRIBED) \"\" \"" + prefix + "*\"");
            assertThat(listed(lines)).as(lines.toString()).containsExactly(prefix + "A", prefix + "C");
            assertThat(lines).anyMatch(l -> l.startsWith("* LIST (") && l.contains("\\Subscribed") && l.endsWith(prefix + "A\""));
            assertThat(lines).anyMatch(l -> l.contains("\\NonExistent") && l.contains("\\Subscribed") && l.endsWith(prefix + "C\""));
        }

        /** RFC 5258 §3.1: REMOTE adds remote mailboxes (this server has none): the answer is that of a plain LIST. */
        @Test
        void rfc5258Section3_1RemoteListsWhatAPlainListDoes() throws IOException {
            String prefix = "rx" + UUID.randomUUID().toString().substring(0, 6);
            ok("CREATE " + prefix + "One");
            ok("CREATE " + prefix + "Two");
            List<String> plain = listed(ok("LIST \"\" \"" + prefix + "*\""));
            List<String> remote = ok("LIST (REMOTE) \"\" \"" + prefix + "*\"");
            assertThat(listed(remote)).as(remote.toString()).isEqualTo(plain).containsExactly(prefix + "One", prefix + "Two");
        }
    }

    @Nested
    class Acl {
        /** RFC 4314 §2.1 and §3 (example): RIGHTS= names the extra rights as the RFC writes them, lower-case "texk". */
        @Test
        void rfc4314Section2_1RightsCapabilityIsTexk() throws IOException {
            assertThat(capabilities()).contains("ACL", "RIGHTS=texk");
        }
    }

    @Nested
    class Quota {
        private final Pattern storage = Pattern.compile("^\\* QUOTA (\\S+) \\(STORAGE (\\d+) (\\d+)\\)$");

        private long[] storage(List<String> lines) {
            return lines.stream().map(storage::matcher).filter(Matcher::matches)
                .map(m -> new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))})
                .findFirst().orElseThrow(() -> new AssertionError("no * QUOTA ... (STORAGE used limit) in " + lines));
        }

        /**
         * RFC 2087 §4.3: GETQUOTAROOT of a user without a limit. James answered no STORAGE resource
         * and clients showed "Unknown"; the limit such a user has is the disk, so that is what is told.
         */
        @Test
        void rfc2087Section4_3AUserWithoutALimitIsToldItsUsageAndTheDiskAsTheLimit() throws Exception {
            List<String> lines = ok("GETQUOTAROOT INBOX");
            assertThat(lines).anyMatch(line -> line.startsWith("* QUOTAROOT \"INBOX\" "));
            long[] usedAndLimit = storage(lines);
            long diskKib = java.nio.file.Files.getFileStore(server.home()).getTotalSpace() / 1024;
            assertThat(usedAndLimit[0]).as("KiB used (James rounds down: the small messages appended may count 0)").isNotNegative();
            assertThat(usedAndLimit[1]).as(lines.toString()).isGreaterThan(usedAndLimit[0]).isLessThanOrEqualTo(diskKib + usedAndLimit[0]);

            String root = lines.stream().filter(line -> line.startsWith("* QUOTA ")).findFirst().orElseThrow().split(" ")[2];
            assertThat(storage(ok("GETQUOTA " + root))).as("GETQUOTA answers alike").containsExactly(usedAndLimit[0], usedAndLimit[1]);
        }

        /** A quota root that is not the user's gets James' refusal, a missing mailbox NO [NONEXISTENT], nothing added, and the session goes on. */
        @Test
        void aForeignOrMalformedQuotaRootGetsNoDiskFigure() throws Exception {
            List<String> foreign = run("GETQUOTA \"#private&diego@diegonmarcos.com\"");
            assertThat(last(foreign)).as(foreign.toString()).doesNotStartWith("t" + tags + " OK");
            assertThat(foreign).noneMatch(line -> line.startsWith("* QUOTA "));
            List<String> missing = run("GETQUOTAROOT \"no-such-mailbox-" + UUID.randomUUID() + "\"");
            // RFC 5530's code; James failed on it ("NO GETQUOTAROOT processing failed.") with an ERROR and a stack trace
            assertThat(last(missing)).as(missing.toString()).startsWith("t" + tags + " NO [NONEXISTENT] ");
            assertThat(missing).noneMatch(line -> line.startsWith("* QUOTA "));
            ok("NOOP");
        }

        /** A limit set by the admin is answered as James does: usage and that limit, in KiB. */
        @Test
        void aLimitSetThroughWebadminIsAnsweredAsSet() throws Exception {
            String path = "/quota/users/" + USER + "/size";
            assertThat(server.webAdmin("PUT", path, "5000000").statusCode()).isEqualTo(204);
            try {
                assertThat(storage(ok("GETQUOTAROOT INBOX"))[1]).isEqualTo(5000000 / 1024);
            } finally {
                assertThat(server.webAdmin("DELETE", path, null).statusCode()).isEqualTo(204);
            }
        }
    }
}
