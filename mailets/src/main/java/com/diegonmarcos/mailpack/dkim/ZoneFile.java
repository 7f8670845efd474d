package com.diegonmarcos.mailpack.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * DKIM key records as zone-file lines: {@code <selector>._domainkey.<domain>. IN TXT ( "..." "..." )},
 * the value split into character-strings of at most 255 octets (RFC 1035 §3.3.14; RFC 6376
 * §3.6.2.2: verifiers join them without separator).
 */
public final class ZoneFile {
    public static final int MAX_STRING = 255;

    private ZoneFile() {
    }

    public static String ownerName(String selector, String domain) {
        return selector + "._domainkey." + domain + ".";
    }

    /** One TXT record, ready to paste into a zone file. */
    public static String txtLine(String selector, String domain, String value) {
        List<String> strings = split(value, MAX_STRING);
        StringBuilder line = new StringBuilder(ownerName(selector, domain)).append(" IN TXT ");
        if (strings.size() == 1) {
            return line.append('"').append(strings.get(0)).append('"').toString();
        }
        line.append("(");
        for (String string : strings) {
            line.append("\n    \"").append(string).append('"');
        }
        return line.append(" )").toString();
    }

    /** {@code value} cut into pieces of at most {@code max} octets (DKIM records are ASCII: no quoting needed). */
    public static List<String> split(String value, int max) {
        byte[] octets = value.getBytes(StandardCharsets.US_ASCII);
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < octets.length; i += max) {
            pieces.add(new String(octets, i, Math.min(max, octets.length - i), StandardCharsets.US_ASCII));
        }
        if (pieces.isEmpty()) {
            pieces.add("");
        }
        return pieces;
    }
}
