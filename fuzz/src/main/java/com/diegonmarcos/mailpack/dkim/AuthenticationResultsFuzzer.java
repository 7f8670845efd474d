package com.diegonmarcos.mailpack.dkim;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import com.diegonmarcos.mailpack.dmarc.AuthenticationResultsField;
import com.diegonmarcos.mailpack.dmarc.DmarcOutcome;
import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.FieldChecks;
import com.diegonmarcos.mailpack.fuzz.Violation;
import com.diegonmarcos.mailpack.spf.SpfResult;
import com.diegonmarcos.mailpack.spf.SpfVerdict;

/**
 * Authentication-Results (RFC 8601) both ways. Read: an incoming field value
 * ({@link AuthenticationResults#authservId}, {@link AuthenticationResults#claims}: the border
 * removes fields that claim our authserv-id). Written: {@link AuthenticationResults#value} and
 * {@link AuthenticationResultsField#value} from hostile results (reason, d=, s=, a=, i=, b= prefix,
 * SPF sender and HELO). The input is text (UTF-8); NUL separates the pieces used for the written
 * results.
 *
 * <p>Contract: nothing throws. Any value that starts with our authserv-id, plain or after a comment,
 * claims it whatever follows (a forged field is always removed); every field we write is
 * printable, folded only, and claims our id.
 */
public final class AuthenticationResultsFuzzer {
    private static final String ID = "mx.diegonmarcos.com";

    private AuthenticationResultsFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("Authentication-Results", data, AuthenticationResultsFuzzer::test);
    }

    static void test(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        AuthenticationResults.authservId(text);
        AuthenticationResults.claims(text, ID);
        Violation.check(AuthenticationResults.claims(" " + ID + ";" + text, ID), () -> "a forged field is not recognized: "
            + Violation.show(ID + ";" + text));
        Violation.check(AuthenticationResults.claims(" MX.DiegonMarcos.com ;" + text, ID), () -> "case: a forged field is not recognized");
        String comment = text.replaceAll("[()\\\\]", "");
        Violation.check(AuthenticationResults.claims(" (" + comment + ") " + ID + "; " + text, ID),
            () -> "a forged field behind a comment is not recognized: " + Violation.show(comment));

        String[] piece = text.split("\u0000", -1);
        DkimResult result = new DkimResult(AuthResult.FAIL, Optional.of(get(piece, 1)), Optional.of(get(piece, 2)),
            Optional.of(get(piece, 3)), Optional.of(get(piece, 4)), Optional.of(get(piece, 5)), get(piece, 0), false, OptionalLong.empty());
        FieldChecks.authenticationResults(AuthenticationResults.value(ID, List.of(result)), ID, text);
        for (String identity : new String[] {SpfVerdict.MAILFROM, SpfVerdict.HELO}) {
            SpfVerdict spf = new SpfVerdict(SpfResult.SOFTFAIL, identity, get(piece, 6), get(piece, 7), get(piece, 0));
            FieldChecks.authenticationResults(AuthenticationResultsField.value(ID, spf, List.of(result), new DmarcOutcome(List.of())),
                ID, text);
        }
    }

    private static String get(String[] pieces, int index) {
        return pieces[index % pieces.length];
    }
}
