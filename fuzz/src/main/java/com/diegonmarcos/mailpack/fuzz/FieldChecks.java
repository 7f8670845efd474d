package com.diegonmarcos.mailpack.fuzz;

import com.diegonmarcos.mailpack.dkim.AuthenticationResults;

/** Properties of a header field value we write from hostile data. */
public final class FieldChecks {
    private FieldChecks() {
    }

    /**
     * An Authentication-Results value we generate: printable US-ASCII, line breaks only as folding
     * ({@code CRLF} then a tab or space: no injected field, no bare CR or LF), and it still names
     * {@code authservId} as its authserv-id (so the border removes forged copies and keeps ours).
     */
    public static void authenticationResults(String value, String authservId, String from) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r') {
                Violation.check(i + 2 < value.length() && value.charAt(i + 1) == '\n'
                    && (value.charAt(i + 2) == '\t' || value.charAt(i + 2) == ' '),
                    () -> "a line break that is not folding in the Authentication-Results we write from " + Violation.show(from)
                        + ": " + Violation.show(value));
                i++;
                continue;
            }
            Violation.check(c != '\n' && (c == '\t' || (c >= 0x20 && c < 0x7F)), () -> "character 0x" + Integer.toHexString(c)
                + " in the Authentication-Results we write from " + Violation.show(from) + ": " + Violation.show(value));
        }
        Violation.check(AuthenticationResults.claims(value, authservId), () -> "our own Authentication-Results is not recognized as ours ("
            + AuthenticationResults.authservId(value) + "): " + Violation.show(value));
    }
}
