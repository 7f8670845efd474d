package com.diegonmarcos.mailpack.clamav;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.Violation;

/**
 * clamd's reply to {@code zINSTREAM} ({@code ClamdClient.readReply} then {@code ClamdClient.parse}),
 * as whatever answers on clamd's socket sends it. The input is the octets read.
 *
 * <p>Contract: a verdict or {@link IOException} ("clamd answered ...", "reply longer than ...",
 * "closed without a reply"), nothing else; an infected verdict names a signature.
 */
public final class ClamdReplyFuzzer {
    private ClamdReplyFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("clamd reply", data, ClamdReplyFuzzer::test);
    }

    static void test(byte[] data) {
        try {
            ClamdResult result = ClamdClient.parse(ClamdClient.readReply(new ByteArrayInputStream(data)));
            Violation.check(result.status() != null, () -> "no status");
            if (result.status() == ClamdResult.Status.INFECTED) {
                Violation.check(result.signature().isPresent(), () -> "infected without a signature");
            }
        } catch (IOException e) {
            // documented
        }
    }
}
