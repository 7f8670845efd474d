package com.diegonmarcos.mailpack.dkim;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The Authentication-Results header field (RFC 8601) for DKIM results, and the recognition of
 * fields that claim our authserv-id (which a border MTA removes from incoming mail, §5).
 */
public final class AuthenticationResults {
    public static final String FIELD = "Authentication-Results";

    private AuthenticationResults() {
    }

    /**
     * The field value (after "Authentication-Results:"), folded one result per line:
     * {@code mail.example.com;\r\n\tdkim=pass header.d=example.org header.s=sel ...}.
     */
    public static String value(String authservId, List<DkimResult> results) {
        StringBuilder out = new StringBuilder(" ").append(authservId);
        if (results.isEmpty()) {
            return out.append("; dkim=none").toString();
        }
        appendDkim(out, results);
        return out.toString();
    }

    /**
     * Appends the DKIM results to a field value being built, one folded {@code ;\r\n\tdkim=...} line
     * per signature, or {@code dkim=none} when there is none.
     */
    public static void appendDkim(StringBuilder out, List<DkimResult> results) {
        if (results.isEmpty()) {
            out.append(";\r\n\tdkim=none");
            return;
        }
        for (DkimResult result : results) {
            out.append(";\r\n\tdkim=").append(result.result().token());
            if (!result.reason().isEmpty()) {
                out.append(" reason=").append(quoted(result.reason()));
            }
            property(out, "header.d", result.domain());
            property(out, "header.i", result.auid());
            property(out, "header.s", result.selector());
            property(out, "header.a", result.algorithm());
            property(out, "header.b", result.signaturePrefix());
        }
    }

    private static void property(StringBuilder out, String name, Optional<String> value) {
        value.filter(v -> !v.isEmpty()).ifPresent(v -> out.append(' ').append(name).append('=').append(tokenOrQuoted(v)));
    }

    /** RFC 2045 token if possible (the @ of header.i is allowed by RFC 8601's pvalue), else a quoted-string. */
    private static String tokenOrQuoted(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean tspecial = "()<>,;:\\\"/[]?=".indexOf(c) >= 0;
            if (c <= 0x20 || c >= 0x7F || tspecial) {
                return quoted(value);
            }
        }
        return value;
    }

    static String quoted(String text) {
        return quoted(text, 200);
    }

    /** A quoted-string of at most {@code maxChars} characters of {@code text}, control characters replaced by '?'. */
    public static String quoted(String text, int maxChars) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length() && i < maxChars; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append('?');
            }
        }
        return out.append('"').toString();
    }

    /**
     * The authserv-id of an Authentication-Results field value: the first token, after comments
     * (RFC 8601 §2.2: {@code authserv-id [ CFWS authres-version ] ...}), or empty when unreadable.
     */
    public static Optional<String> authservId(String fieldValue) {
        String text = withoutComments(fieldValue).strip();
        int end = 0;
        while (end < text.length() && text.charAt(end) != ';' && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        String id = text.substring(0, end);
        if (id.startsWith("\"") && id.endsWith("\"") && id.length() >= 2) {
            id = id.substring(1, id.length() - 1);
        }
        return id.isEmpty() ? Optional.empty() : Optional.of(id.toLowerCase(Locale.ROOT));
    }

    /** Whether the field value claims to come from {@code authservId} (case-insensitive). */
    public static boolean claims(String fieldValue, String authservId) {
        return authservId(fieldValue).map(id -> id.equals(authservId.toLowerCase(Locale.ROOT))).orElse(false);
    }

    private static String withoutComments(String text) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && depth > 0) {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
