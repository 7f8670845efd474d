package com.diegonmarcos.mailpack.modules.imap;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.decode.DecodingException;

/**
 * Mailbox names in modified UTF-7 (RFC 3501 §5.1.3), read strictly: "&amp;" opens a run of modified base64
 * ({@code A-Z a-z 0-9 + ,}) that "-" must close; the run encodes whole UTF-16 code units (left-over bits
 * zero, fewer than 6) with surrogates in pairs, and never a character that stands for itself (printable
 * US-ASCII, 0x20-0x7e); "&amp;-" is "&amp;". Anything else is a decoding error, which the IMAP decoder answers
 * with a tagged BAD, where James' own decoder throws a {@code java.lang.Error} that ends the connection.
 */
final class StrictMailboxNames {
    private static final String BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

    private StrictMailboxNames() {
    }

    /** The name that {@code encoded} stands for; a {@link DecodingException} naming the fault if it is not valid. */
    static String decode(String encoded) throws DecodingException {
        StringBuilder decoded = new StringBuilder(encoded.length());
        int i = 0;
        while (i < encoded.length()) {
            char c = encoded.charAt(i);
            if (c != '&') {
                decoded.append(c);
                i++;
                continue;
            }
            int end = encoded.indexOf('-', i + 1);
            if (end < 0) {
                throw invalid(encoded, "'&' at " + i + " is not closed by '-'");
            }
            if (end == i + 1) {
                decoded.append('&');
            } else {
                decodeRun(encoded, i + 1, end, decoded);
            }
            i = end + 1;
        }
        return decoded.toString();
    }

    private static void decodeRun(String encoded, int from, int to, StringBuilder decoded) throws DecodingException {
        int bits = 0;
        int buffer = 0;
        int start = decoded.length();
        for (int i = from; i < to; i++) {
            int value = BASE64.indexOf(encoded.charAt(i));
            if (value < 0) {
                throw invalid(encoded, "'" + encoded.charAt(i) + "' at " + i + " is not modified base64");
            }
            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 16) {
                bits -= 16;
                char unit = (char) ((buffer >>> bits) & 0xffff);
                if (unit >= 0x20 && unit <= 0x7e) {
                    throw invalid(encoded, "'" + unit + "' is encoded but must stand for itself");
                }
                decoded.append(unit);
            }
        }
        if (bits >= 6 || (buffer & ((1 << bits) - 1)) != 0) {
            throw invalid(encoded, "the base64 run at " + (from - 1) + " does not end on a UTF-16 code unit");
        }
        if (decoded.length() == start) {
            throw invalid(encoded, "empty base64 run at " + (from - 1));
        }
        for (int i = start; i < decoded.length(); i++) {
            char unit = decoded.charAt(i);
            if (Character.isHighSurrogate(unit)) {
                if (i + 1 >= decoded.length() || !Character.isLowSurrogate(decoded.charAt(i + 1))) {
                    throw invalid(encoded, "a high surrogate without its low surrogate");
                }
                i++;
            } else if (Character.isLowSurrogate(unit)) {
                throw invalid(encoded, "a low surrogate without its high surrogate");
            }
        }
    }

    private static DecodingException invalid(String encoded, String why) {
        return new DecodingException(HumanReadableText.ILLEGAL_ARGUMENTS,
            "Mailbox name is not valid modified UTF-7 (RFC 3501 section 5.1.3): " + why);
    }
}
