package com.diegonmarcos.mailpack.dkim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One header field as transmitted: {@code raw} is the whole field, folding kept, lines joined by
 * CRLF, without the final CRLF. Octets are kept one char each (ISO-8859-1), so that 8-bit header
 * content survives canonicalization byte for byte.
 */
public record HeaderField(String name, String raw) {

    /** Splits a header section (without the empty line) into fields; bare LF and bare CR count as line ends. */
    public static List<HeaderField> parse(String section) {
        List<HeaderField> fields = new ArrayList<>();
        StringBuilder current = null;
        int position = 0;
        int length = section.length();
        while (position < length) {
            int end = position;
            while (end < length && section.charAt(end) != '\r' && section.charAt(end) != '\n') {
                end++;
            }
            String line = section.substring(position, end);
            if (end < length && section.charAt(end) == '\r' && end + 1 < length && section.charAt(end + 1) == '\n') {
                position = end + 2;
            } else {
                position = end + 1;
            }
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append("\r\n").append(line);
                continue;
            }
            if (current != null) {
                fields.add(of(current.toString()));
            }
            current = new StringBuilder(line);
        }
        if (current != null && current.length() > 0) {
            fields.add(of(current.toString()));
        }
        return fields;
    }

    /** A field from its raw text; a line without a colon gets its whole text as name (it matches nothing). */
    public static HeaderField of(String raw) {
        int colon = raw.indexOf(':');
        String name = colon < 0 ? raw : raw.substring(0, colon);
        return new HeaderField(stripTrailingSpace(name), raw);
    }

    public boolean hasName(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** The text after the colon, folding kept. */
    public String value() {
        int colon = raw.indexOf(':');
        return colon < 0 ? "" : raw.substring(colon + 1);
    }

    public String lowerCaseName() {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String stripTrailingSpace(String name) {
        int end = name.length();
        while (end > 0 && (name.charAt(end - 1) == ' ' || name.charAt(end - 1) == '\t')) {
            end--;
        }
        return name.substring(0, end);
    }
}
