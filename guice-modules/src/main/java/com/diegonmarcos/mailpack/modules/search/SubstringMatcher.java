package com.diegonmarcos.mailpack.modules.search;

import java.io.IOException;
import java.io.Reader;

/**
 * Whether a text contains a string, ignoring case (RFC 3501 §6.4.4: "a message matches the key if
 * the string is a substring of the field. The matching is case-insensitive").
 *
 * <p>Text can be given whole or streamed ({@link #scan()}, {@link #in(Reader)}): the match runs as a
 * Knuth-Morris-Pratt automaton over case-folded characters, so a body of any size is read once, in
 * chunks, and never held whole.
 */
public final class SubstringMatcher {
    private static final int CHUNK = 8192;

    private final char[] needle;
    /** {@code fallback[i]}: length of the longest proper border of {@code needle[0..i]} */
    private final int[] fallback;

    private SubstringMatcher(String needle) {
        this.needle = new char[needle.length()];
        for (int i = 0; i < needle.length(); i++) {
            this.needle[i] = fold(needle.charAt(i));
        }
        this.fallback = borders(this.needle);
    }

    /** A matcher of {@code needle}; the empty string is in every text. */
    public static SubstringMatcher of(String needle) {
        return new SubstringMatcher(needle);
    }

    /** One case for both cases: the lower case of the upper case (so {@code ß}/{@code ẞ}, {@code K}/{@code k}/Kelvin agree). */
    static char fold(char c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    private static int[] borders(char[] pattern) {
        int[] border = new int[pattern.length];
        int length = 0;
        for (int i = 1; i < pattern.length; i++) {
            while (length > 0 && pattern[i] != pattern[length]) {
                length = border[length - 1];
            }
            if (pattern[i] == pattern[length]) {
                length++;
            }
            border[i] = length;
        }
        return border;
    }

    public boolean in(CharSequence text) {
        Scan scan = scan();
        for (int i = 0; i < text.length() && !scan.found(); i++) {
            scan.feed(text.charAt(i));
        }
        return scan.found();
    }

    /** Reads {@code reader} until the string is found or the text ends. */
    public boolean in(Reader reader) throws IOException {
        Scan scan = scan();
        char[] buffer = new char[CHUNK];
        int read;
        while (!scan.found() && (read = reader.read(buffer)) != -1) {
            scan.feed(buffer, 0, read);
        }
        return scan.found();
    }

    /** A fresh streaming match. */
    public Scan scan() {
        return new Scan();
    }

    /** One pass over a text given piece by piece; {@link #separate()} between pieces that must not match across. */
    public final class Scan {
        private int matched;
        private boolean found = needle.length == 0;

        public void feed(char c) {
            if (found) {
                return;
            }
            char folded = fold(c);
            while (matched > 0 && needle[matched] != folded) {
                matched = fallback[matched - 1];
            }
            if (needle[matched] == folded) {
                matched++;
            }
            if (matched == needle.length) {
                found = true;
            }
        }

        public void feed(char[] chars, int offset, int length) {
            for (int i = offset; i < offset + length && !found; i++) {
                feed(chars[i]);
            }
        }

        public void feed(CharSequence text) {
            for (int i = 0; i < text.length() && !found; i++) {
                feed(text.charAt(i));
            }
        }

        /** Ends a piece: the next one starts a new match (one header field from the next). */
        public void separate() {
            matched = 0;
        }

        public boolean found() {
            return found;
        }
    }
}
