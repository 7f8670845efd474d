package com.diegonmarcos.mailpack.dkim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An RFC 6376 §3.2 tag=value list, as found in DKIM-Signature fields and key records. Parsing is
 * strict where the RFC is (tag names, value characters, duplicate tags invalidate the whole list)
 * and remembers where each value sits in the raw text, so that the verifier can empty {@code b=}
 * exactly as RFC 6376 §3.7 asks.
 */
public final class TagList {
    /** One tag: its value without surrounding whitespace, and where its raw value region lies. */
    public record Tag(String name, String value, int regionStart, int regionEnd) {
    }

    private final String raw;
    private final Map<String, Tag> tags;

    private TagList(String raw, Map<String, Tag> tags) {
        this.raw = raw;
        this.tags = Collections.unmodifiableMap(tags);
    }

    /**
     * @param text the list; folding whitespace (CRLF followed by space or tab) is allowed between tokens
     * @param maxLength longer input is refused before any work is done
     * @throws DkimFormatException naming the first problem
     */
    public static TagList parse(String text, int maxLength) throws DkimFormatException {
        if (text.length() > maxLength) {
            throw new DkimFormatException("tag list longer than " + maxLength + " characters");
        }
        Map<String, Tag> tags = new LinkedHashMap<>();
        int position = 0;
        int length = text.length();
        while (position < length) {
            int end = text.indexOf(';', position);
            if (end < 0) {
                end = length;
            }
            int[] name = trim(text, position, end);
            if (name[0] == name[1]) {
                // an empty tag-spec: only whitespace between two ';' or after the last one
                position = end + 1;
                continue;
            }
            int equals = text.indexOf('=', position);
            if (equals < 0 || equals > end) {
                throw new DkimFormatException("'" + excerpt(text, name[0], end) + "' is not tag=value");
            }
            int[] nameRange = trim(text, position, equals);
            String tagName = text.substring(nameRange[0], nameRange[1]);
            checkName(tagName);
            int[] valueRange = trim(text, equals + 1, end);
            String value = text.substring(valueRange[0], valueRange[1]);
            checkValue(tagName, value);
            if (tags.put(tagName, new Tag(tagName, value, equals + 1, end)) != null) {
                throw new DkimFormatException("tag '" + tagName + "' appears twice");
            }
            position = end + 1;
        }
        return new TagList(text, tags);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(tags.get(name)).map(Tag::value);
    }

    public Optional<Tag> tag(String name) {
        return Optional.ofNullable(tags.get(name));
    }

    public String require(String name) throws DkimFormatException {
        return get(name).orElseThrow(() -> new DkimFormatException("required tag " + name + "= is missing"));
    }

    /** The tag names in order of appearance. */
    public java.util.Set<String> names() {
        return tags.keySet();
    }

    public String raw() {
        return raw;
    }

    /** The raw text with the whole value region of {@code name} removed (RFC 6376 §3.7 for {@code b=}). */
    public String withEmptyValue(String name) {
        Tag tag = tags.get(name);
        if (tag == null) {
            return raw;
        }
        return raw.substring(0, tag.regionStart()) + raw.substring(tag.regionEnd());
    }

    /** Removes folding whitespace and whitespace from a value ({@code b=}, {@code bh=}, {@code h=}, {@code p=}). */
    public static String withoutWhitespace(String value) {
        StringBuilder result = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                result.append(c);
            }
        }
        return result.toString();
    }

    private static void checkName(String name) throws DkimFormatException {
        // tag-name = ALPHA *ALNUMPUNC
        if (name.isEmpty() || !isAlpha(name.charAt(0))) {
            throw new DkimFormatException("'" + printable(name) + "' is not a tag name");
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlpha(c) && !(c >= '0' && c <= '9') && c != '_') {
                throw new DkimFormatException("'" + printable(name) + "' is not a tag name");
            }
        }
    }

    private static void checkValue(String name, String value) throws DkimFormatException {
        // tag-value = [ tval *( 1*(WSP / FWS) tval ) ], tval = 1*VALCHAR, VALCHAR = %x21-3A / %x3C-7E
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t') {
                continue;
            }
            if (c == '\r') {
                if (i + 2 < value.length() && value.charAt(i + 1) == '\n' && (value.charAt(i + 2) == ' ' || value.charAt(i + 2) == '\t')) {
                    i++;
                    continue;
                }
                throw new DkimFormatException("tag " + name + "= has a line break that is not folding whitespace");
            }
            if (c < 0x21 || c > 0x7E) {
                throw new DkimFormatException("tag " + name + "= has a character outside printable US-ASCII (0x"
                    + Integer.toHexString(c) + ")");
            }
        }
    }

    /** Bounds of [from, to) without leading and trailing whitespace (WSP and CRLF). */
    private static int[] trim(String text, int from, int to) {
        while (from < to && isSpace(text.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(text.charAt(to - 1))) {
            to--;
        }
        return new int[] {from, to};
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static String excerpt(String text, int from, int to) {
        return printable(text.substring(from, Math.min(to, from + 40)));
    }

    /** For messages: control characters shown as escapes, length bounded. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 60; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                out.append(String.format("\\x%02x", (int) c & 0xFF));
            } else {
                out.append(c);
            }
        }
        if (text.length() > 60) {
            out.append("...");
        }
        return out.toString();
    }
}
