package com.diegonmarcos.mailpack.dmarc;

import java.util.List;
import java.util.regex.Pattern;

import com.diegonmarcos.mailpack.dkim.AuthenticationResults;
import com.diegonmarcos.mailpack.dkim.DkimResult;
import com.diegonmarcos.mailpack.spf.SpfVerdict;

/**
 * Our one Authentication-Results field for inbound mail (RFC 8601): spf (§2.7.2, {@code smtp.mailfrom}
 * or {@code smtp.helo}), one dkim result per signature, one dmarc result per From domain
 * (RFC 7489 §11.2, {@code header.from}, policy and disposition in a comment).
 */
public final class AuthenticationResultsField {
    /** an address or domain that needs no quoting */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]*@?[A-Za-z0-9.-]+");

    private AuthenticationResultsField() {
    }

    /** The field value (after "Authentication-Results:"), one result per folded line. */
    public static String value(String authservId, SpfVerdict spf, List<DkimResult> dkim, DmarcOutcome dmarc) {
        StringBuilder out = new StringBuilder(" ").append(authservId);
        out.append(";\r\n\tspf=").append(spf.result().token());
        if (spf.identity().equals(SpfVerdict.HELO)) {
            out.append(" smtp.helo=").append(value(spf.domain()));
        } else {
            out.append(" smtp.mailfrom=").append(value(spf.sender()));
        }
        AuthenticationResults.appendDkim(out, dkim);
        if (dmarc.verdicts().isEmpty()) {
            out.append(";\r\n\tdmarc=none reason=\"no RFC5322.From domain\"");
        }
        for (DmarcVerdict verdict : dmarc.verdicts()) {
            out.append(";\r\n\tdmarc=").append(verdict.result().token());
            if (verdict.record().isPresent()) {
                out.append(" (p=").append(verdict.requestedPolicy().token())
                    .append(" dis=").append(verdict.disposition().token().toUpperCase(java.util.Locale.ROOT));
                verdict.override().ifPresent(override -> out.append(" override=").append(override));
                out.append(')');
            }
            out.append(" header.from=").append(value(verdict.fromDomain()));
        }
        return out.toString();
    }

    /** A pvalue: the text as it is when it is a plain address or domain, else a quoted-string (control characters replaced). */
    static String value(String text) {
        if (!text.isEmpty() && text.length() <= 254 && PLAIN.matcher(text).matches()) {
            return text;
        }
        return AuthenticationResults.quoted(text, 254);
    }
}
