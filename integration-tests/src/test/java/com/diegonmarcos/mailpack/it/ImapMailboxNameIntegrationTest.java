package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18: mailbox names that are not valid modified UTF-7 (RFC 3501 §5.1.3) are refused with a tagged
 * BAD or NO and the session goes on; James 3.8.1's decoder threw a {@code java.lang.Error} that closed the
 * connection. Raw IMAP dialog against the packaged server (shipped conf).
 */
class ImapMailboxNameIntegrationTest {
    static final String USER = "names@diegonmarcos.com";
    static final String PASSWORD = "Utf7-Passphrase-0001-Qz";

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
        assertThat(last(run("LOGIN " + USER + " " + PASSWORD))).startsWith("t" + tags + " OK");
    }

    @AfterEach
    void logout() throws IOException {
        imap.close();
    }

    private List<String> run(String command) throws IOException {
        return imap.command("t" + (++tags), command);
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    /** The command is refused (tagged BAD or NO, RFC 3501 §7.1) and the same session still answers. */
    private void refusedAndSessionGoesOn(String command) throws IOException {
        List<String> lines = run(command);
        assertThat(last(lines)).as(command + " -> " + lines).matches("t" + tags + " (BAD|NO) .*");
        assertThat(last(run("NOOP"))).as("NOOP after " + command).startsWith("t" + tags + " OK");
        List<String> list = run("LIST \"\" \"*\"");
        assertThat(last(list)).startsWith("t" + tags + " OK");
        assertThat(list).noneMatch(line -> line.startsWith("* LIST") && !line.endsWith("INBOX") && line.contains("&"));
    }

    /**
     * RFC 3501 §5.1.3: "&" starts a base64 run that "-" must end; a shifted run must encode UTF-16 exactly
     * (no left-over bits, no lone surrogate); characters that stand for themselves (printable US-ASCII)
     * must not be encoded ("&AGE-" is "a").
     */
    @ParameterizedTest(name = "RFC 3501 §5.1.3 CREATE {0}")
    @ValueSource(strings = {"\"&Jjo\"", "\"&ZeVnLIqe\"", "\"&AGE-\"", "\"&-&\"", "\"&2D3-\"", "\"&Jjo!-\"", "\"&AGEAYgBj-\""})
    void rfc3501Section5_1_3CreateWithAnInvalidNameIsRefused(String name) throws IOException {
        refusedAndSessionGoesOn("CREATE " + name);
    }

    /** RFC 3501 §5.1.3 with each command that takes a mailbox name. */
    @ParameterizedTest(name = "RFC 3501 §5.1.3 {0}")
    @ValueSource(strings = {"SELECT \"&-&\"", "EXAMINE \"&Jjo\"", "DELETE \"&ZeVnLIqe\"", "RENAME INBOX \"&Jjo\"",
        "RENAME \"&Jjo\" x", "SUBSCRIBE \"&AGE-\"", "STATUS \"&Jjo\" (MESSAGES)", "LIST \"\" \"&Jjo\"", "LSUB \"\" \"&Jjo\"",
        "LIST \"&Jjo\" \"*\""})
    void rfc3501Section5_1_3EveryMailboxArgumentIsChecked(String command) throws IOException {
        refusedAndSessionGoesOn(command);
    }

    /** RFC 3501 §5.1.3: after SELECT, COPY to an invalid name is refused and the selection stays. */
    @Test
    void rfc3501Section5_1_3CopyToAnInvalidNameIsRefused() throws IOException {
        assertThat(last(run("SELECT INBOX"))).startsWith("t" + tags + " OK");
        refusedAndSessionGoesOn("COPY 1:* \"&Jjo\"");
        assertThat(last(run("CHECK"))).startsWith("t" + tags + " OK");
    }

    /** RFC 3501 §5.1.3 example: valid names still work, "&-" is "&" and "&ZeVnLIqe-" is the Japanese for "Taiwan". */
    @Test
    void rfc3501Section5_1_3ValidNamesStillWork() throws IOException {
        assertThat(last(run("CREATE \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\""))).startsWith("t" + tags + " OK");
        assertThat(last(run("CREATE \"A&-B\""))).startsWith("t" + tags + " OK");
        List<String> list = run("LIST \"\" \"*\"");
        assertThat(list).anyMatch(line -> line.endsWith("\"~peter/mail/&U,BTFw-/&ZeVnLIqe-\""));
        assertThat(list).anyMatch(line -> line.endsWith("\"A&-B\""));
        assertThat(last(run("SELECT \"A&-B\""))).startsWith("t" + tags + " OK");
    }
}
