package com.diegonmarcos.mailpack.dkim;

import java.util.Locale;

/** RFC 6376 §3.4: the two canonicalization algorithms, for header fields and for bodies. */
public enum Canonicalization {
    SIMPLE("simple"),
    RELAXED("relaxed");

    private final String tagValue;

    Canonicalization(String tagValue) {
        this.tagValue = tagValue;
    }

    public String tagValue() {
        return tagValue;
    }

    static Canonicalization parse(String value) throws DkimFormatException {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "simple":
                return SIMPLE;
            case "relaxed":
                return RELAXED;
            default:
                throw new DkimFormatException("unknown canonicalization '" + TagList.printable(value) + "'");
        }
    }

    /**
     * The canonical form of one header field, with its CRLF (the signature field itself is used
     * without it: the caller strips it).
     */
    public String header(HeaderField field) {
        if (this == SIMPLE) {
            return field.raw() + "\r\n";
        }
        String raw = field.raw();
        int colon = raw.indexOf(':');
        String name = colon < 0 ? raw : raw.substring(0, colon);
        String value = colon < 0 ? "" : raw.substring(colon + 1);
        StringBuilder out = new StringBuilder(raw.length() + 2);
        out.append(asciiLowerCase(trimWsp(name))).append(':');
        // unfold (drop CR and LF), squeeze runs of WSP to one SP, drop WSP at both ends of the value
        boolean pendingSpace = false;
        boolean started = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                continue;
            }
            if (c == ' ' || c == '\t') {
                pendingSpace = started;
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
                pendingSpace = false;
            }
            out.append(c);
            started = true;
        }
        return out.append("\r\n").toString();
    }

    /** Lower-cases A-Z only: header names are ASCII, other octets are left as they are. */
    static String asciiLowerCase(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return out.toString();
    }

    private static String trimWsp(String text) {
        int from = 0;
        int to = text.length();
        while (from < to && (text.charAt(from) == ' ' || text.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (text.charAt(to - 1) == ' ' || text.charAt(to - 1) == '\t')) {
            to--;
        }
        return text.substring(from, to);
    }

    /** A streaming body canonicalizer that hands canonical octets to {@code sink}. */
    public BodyCanonicalizer body(BodyCanonicalizer.Sink sink) {
        return new BodyCanonicalizer(this, sink);
    }
}
