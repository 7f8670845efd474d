package com.diegonmarcos.mailpack.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * SPF macro expansion (RFC 7208 §7). {@code %{p}} is the client's validated host name, looked up
 * only when a record uses it. The {@code c}, {@code r}, {@code t} letters belong to {@code exp}
 * only, which this checker does not evaluate (it reports no explanation).
 */
final class Macros {
    private static final String DELIMITERS = ".-+,/_=";
    private static final int MAX_DOMAIN = 253;

    private Macros() {
    }

    /** The subject of an expansion. */
    record Context(String sender, String localPart, String senderDomain, String domain, InetAddress ip, String helo,
                   Supplier<String> validatedName) {
    }

    /** @throws SpfException permerror when {@code spec} is not a valid macro-string */
    static void checkSyntax(String spec, String term) {
        expand(spec, null, term);
    }

    /** The expanded domain-spec, shortened from the left to at most 253 octets (§7.3). */
    static String expandDomain(String spec, Context context) {
        String expanded = expand(spec, context, spec);
        if (expanded.endsWith(".")) {
            expanded = expanded.substring(0, expanded.length() - 1);
        }
        while (expanded.length() > MAX_DOMAIN && expanded.indexOf('.') >= 0) {
            expanded = expanded.substring(expanded.indexOf('.') + 1);
        }
        return expanded;
    }

    /** With a null context, only checks the syntax. */
    private static String expand(String spec, Context context, String term) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < spec.length()) {
            char c = spec.charAt(i);
            if (c != '%') {
                if (c < 0x21 || c > 0x7E) {
                    throw SpfException.permerror("bad character in '" + term + "'");
                }
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= spec.length()) {
                throw SpfException.permerror("'%' at the end of '" + term + "'");
            }
            char next = spec.charAt(i + 1);
            if (next == '%') {
                out.append('%');
                i += 2;
            } else if (next == '_') {
                out.append(' ');
                i += 2;
            } else if (next == '-') {
                out.append("%20");
                i += 2;
            } else if (next == '{') {
                int close = spec.indexOf('}', i);
                if (close < 0) {
                    throw SpfException.permerror("unclosed macro in '" + term + "'");
                }
                out.append(macro(spec.substring(i + 2, close), context, term));
                i = close + 1;
            } else {
                throw SpfException.permerror("bad '%' escape in '" + term + "'");
            }
        }
        return out.toString();
    }

    private static String macro(String body, Context context, String term) {
        if (body.isEmpty()) {
            throw SpfException.permerror("empty macro in '" + term + "'");
        }
        char letter = body.charAt(0);
        char lower = Character.toLowerCase(letter);
        if ("slodipvh".indexOf(lower) < 0) {
            throw SpfException.permerror("unknown macro letter '" + letter + "' in '" + term + "'");
        }
        int j = 1;
        int digitsStart = j;
        while (j < body.length() && Character.isDigit(body.charAt(j))) {
            j++;
        }
        int keep = -1;
        if (j > digitsStart) {
            if (j - digitsStart > 3) {
                throw SpfException.permerror("bad macro transformer in '" + term + "'");
            }
            keep = Integer.parseInt(body.substring(digitsStart, j));
            if (keep == 0) {
                throw SpfException.permerror("macro transformer 0 in '" + term + "'");
            }
        }
        boolean reverse = false;
        if (j < body.length() && (body.charAt(j) == 'r' || body.charAt(j) == 'R')) {
            reverse = true;
            j++;
        }
        String delimiters = body.substring(j);
        for (char d : delimiters.toCharArray()) {
            if (DELIMITERS.indexOf(d) < 0) {
                throw SpfException.permerror("bad macro delimiter '" + d + "' in '" + term + "'");
            }
        }
        if (context == null) {
            return "";
        }
        String value = value(lower, context);
        List<String> parts = split(value, delimiters.isEmpty() ? "." : delimiters);
        if (reverse) {
            Collections.reverse(parts);
        }
        if (keep > 0 && keep < parts.size()) {
            parts = parts.subList(parts.size() - keep, parts.size());
        }
        String joined = String.join(".", parts);
        return Character.isUpperCase(letter) ? urlEscape(joined) : joined;
    }

    private static String value(char letter, Context context) {
        switch (letter) {
            case 's':
                return context.sender();
            case 'l':
                return context.localPart();
            case 'o':
                return context.senderDomain();
            case 'd':
                return context.domain();
            case 'i':
                return dotted(context.ip());
            case 'p':
                return context.validatedName().get();
            case 'v':
                return context.ip() instanceof Inet4Address ? "in-addr" : "ip6";
            case 'h':
                return context.helo();
            default:
                throw new IllegalArgumentException(String.valueOf(letter));
        }
    }

    /** IPv4 dotted quad, IPv6 as 32 dot-separated nibbles (§7.3). */
    static String dotted(InetAddress ip) {
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress();
        }
        StringBuilder out = new StringBuilder();
        for (byte b : ip.getAddress()) {
            out.append(Character.forDigit((b >> 4) & 0xF, 16)).append('.').append(Character.forDigit(b & 0xF, 16)).append('.');
        }
        return out.substring(0, out.length() - 1);
    }

    private static List<String> split(String value, String delimiters) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (delimiters.indexOf(c) >= 0) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static String urlEscape(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", (int) c));
            }
        }
        return out.toString();
    }
}
