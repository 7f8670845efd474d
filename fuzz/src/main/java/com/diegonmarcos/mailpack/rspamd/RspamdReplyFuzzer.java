package com.diegonmarcos.mailpack.rspamd;

import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.Violation;

/**
 * rspamd's {@code /checkv2} reply body ({@link RspamdClient#checkReply}), as whatever answers on
 * rspamd's port sends it. The input is the body (at most the client's 1 MiB limit).
 *
 * <p>Contract: a result or {@link RspamdException} ("unreadable reply", "no action or score"),
 * nothing else (no NullPointerException on odd JSON types, no StackOverflowError on deep nesting);
 * a result has a lower-case, trimmed action and a printable score.
 */
public final class RspamdReplyFuzzer {
    private RspamdReplyFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("rspamd reply", data, RspamdReplyFuzzer::test);
    }

    static void test(byte[] data) {
        if (data.length > RspamdClient.MAX_REPLY_BYTES) {
            return; // refused before parsing
        }
        try {
            RspamdResult result = RspamdClient.checkReply(data);
            Violation.check(result.action() != null && result.action().equals(result.action().trim().toLowerCase(java.util.Locale.ROOT)),
                () -> "action '" + result.action() + "'");
            result.scoreText();
            result.symbols().forEach(symbol -> Violation.check(symbol != null, () -> "null symbol"));
            result.smtpMessage();
        } catch (RspamdException e) {
            // documented
        }
    }
}
