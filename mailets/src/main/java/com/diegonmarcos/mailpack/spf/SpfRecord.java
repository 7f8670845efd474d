package com.diegonmarcos.mailpack.spf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.common.net.InetAddresses;

/**
 * A parsed SPF record (RFC 7208 §4.6, §5, §6): its directives in order and the {@code redirect}
 * modifier. Parsing is all or nothing: any syntax error makes the whole record a permerror (§4.6),
 * including in terms after the first match, as §4.6 requires the whole record to be checked.
 */
final class SpfRecord {
    /** What a directive's mechanism is. */
    enum Kind { ALL, INCLUDE, A, MX, PTR, IP4, IP6, EXISTS }

    /**
     * One directive. {@code domainSpec} is the unexpanded macro-string (null: the current domain);
     * {@code network} the address of ip4/ip6; prefix lengths -1 when not given.
     */
    record Directive(SpfResult qualifier, Kind kind, String domainSpec, byte[] network, int ip4Prefix, int ip6Prefix, String text) {
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    /** RFC 7208 §7.1 domain-end: "." toplabel ["."] or a macro. */
    private static final Pattern DOMAIN_END = Pattern.compile(
        "(\\.([A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])\\.?|%\\{[^}]*\\})$");
    private static final Pattern DUAL_CIDR = Pattern.compile("(.*?)(?:/(\\d{1,2}))?(?://(\\d{1,3}))?");

    final List<Directive> directives;
    final Optional<String> redirect;

    private SpfRecord(List<Directive> directives, Optional<String> redirect) {
        this.directives = List.copyOf(directives);
        this.redirect = redirect;
    }

    /** Whether a TXT record is an SPF record: "v=spf1" alone or followed by a space (§4.5). */
    static boolean isSpf(String txt) {
        return txt.regionMatches(true, 0, "v=spf1", 0, 6) && (txt.length() == 6 || txt.charAt(6) == ' ');
    }

    /** @throws SpfException (permerror) naming the first bad term */
    static SpfRecord parse(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw SpfException.permerror("record contains a control or non-ASCII character");
            }
        }
        List<Directive> directives = new ArrayList<>();
        String redirect = null;
        boolean exp = false;
        String[] terms = text.substring(6).split(" ");
        for (String term : terms) {
            if (term.isEmpty()) {
                continue;
            }
            int equals = term.indexOf('=');
            int colon = term.indexOf(':');
            int slash = term.indexOf('/');
            boolean modifier = equals > 0 && (colon < 0 || equals < colon) && (slash < 0 || equals < slash)
                && NAME.matcher(term.substring(0, equals)).matches();
            if (modifier) {
                String name = term.substring(0, equals).toLowerCase(Locale.ROOT);
                String value = term.substring(equals + 1);
                Macros.checkSyntax(value, term);
                if ((name.equals("redirect") || name.equals("exp")) && !DOMAIN_END.matcher(value).find()) {
                    throw SpfException.permerror("'" + term + "': " + name + "= needs a domain");
                }
                if (name.equals("redirect")) {
                    if (redirect != null) {
                        throw SpfException.permerror("two redirect modifiers");
                    }
                    if (value.isEmpty()) {
                        throw SpfException.permerror("redirect without a domain");
                    }
                    redirect = value;
                } else if (name.equals("exp")) {
                    if (exp) {
                        throw SpfException.permerror("two exp modifiers");
                    }
                    exp = true;
                }
                // other modifiers are ignored (§6)
                continue;
            }
            directives.add(directive(term));
        }
        return new SpfRecord(directives, Optional.ofNullable(redirect));
    }

    private static Directive directive(String term) {
        SpfResult qualifier = SpfResult.PASS;
        String rest = term;
        switch (term.charAt(0)) {
            case '+':
                rest = term.substring(1);
                break;
            case '-':
                qualifier = SpfResult.FAIL;
                rest = term.substring(1);
                break;
            case '~':
                qualifier = SpfResult.SOFTFAIL;
                rest = term.substring(1);
                break;
            case '?':
                qualifier = SpfResult.NEUTRAL;
                rest = term.substring(1);
                break;
            default:
                break;
        }
        int end = 0;
        while (end < rest.length() && Character.isLetterOrDigit(rest.charAt(end))) {
            end++;
        }
        String name = rest.substring(0, end).toLowerCase(Locale.ROOT);
        String argument = rest.substring(end);
        switch (name) {
            case "all":
                requireEmpty(argument, term);
                return new Directive(qualifier, Kind.ALL, null, null, -1, -1, term);
            case "include":
            case "exists":
                String spec = requiredDomain(argument, term);
                return new Directive(qualifier, name.equals("include") ? Kind.INCLUDE : Kind.EXISTS, spec, null, -1, -1, term);
            case "a":
            case "mx": {
                Matcher cidr = DUAL_CIDR.matcher(argument);
                if (!cidr.matches()) {
                    throw SpfException.permerror("bad mechanism '" + term + "'");
                }
                String domain = cidr.group(1);
                String spec2 = null;
                if (!domain.isEmpty()) {
                    spec2 = requiredDomain(domain, term);
                }
                int ip4 = prefix(cidr.group(2), 32, term);
                int ip6 = prefix(cidr.group(3), 128, term);
                return new Directive(qualifier, name.equals("a") ? Kind.A : Kind.MX, spec2, null, ip4, ip6, term);
            }
            case "ptr": {
                String spec3 = argument.isEmpty() ? null : requiredDomain(argument, term);
                return new Directive(qualifier, Kind.PTR, spec3, null, -1, -1, term);
            }
            case "ip4":
            case "ip6": {
                if (!argument.startsWith(":")) {
                    throw SpfException.permerror("bad mechanism '" + term + "'");
                }
                String network = argument.substring(1);
                int slash = network.indexOf('/');
                String address = slash < 0 ? network : network.substring(0, slash);
                boolean v4 = name.equals("ip4");
                int prefix = slash < 0 ? -1 : prefix(network.substring(slash + 1), v4 ? 32 : 128, term);
                if (v4 ? !address.matches("\\d{1,3}(\\.\\d{1,3}){3}") : !address.contains(":")) {
                    throw SpfException.permerror("bad address in '" + term + "'");
                }
                byte[] bytes;
                try {
                    bytes = InetAddresses.forString(address).getAddress();
                } catch (IllegalArgumentException e) {
                    throw SpfException.permerror("bad address in '" + term + "'");
                }
                if (!v4 && bytes.length == 4) {
                    // an IPv4-mapped IPv6 literal (::FFFF:1.2.3.4): Java hands back the IPv4 address
                    byte[] mapped = new byte[16];
                    mapped[10] = (byte) 0xFF;
                    mapped[11] = (byte) 0xFF;
                    System.arraycopy(bytes, 0, mapped, 12, 4);
                    bytes = mapped;
                }
                if (bytes.length != (v4 ? 4 : 16)) {
                    throw SpfException.permerror("bad address in '" + term + "'");
                }
                return new Directive(qualifier, v4 ? Kind.IP4 : Kind.IP6, null, bytes, v4 ? prefix : -1, v4 ? -1 : prefix, term);
            }
            default:
                throw SpfException.permerror("unknown mechanism '" + term + "'");
        }
    }

    private static void requireEmpty(String argument, String term) {
        if (!argument.isEmpty()) {
            throw SpfException.permerror("bad mechanism '" + term + "'");
        }
    }

    private static String requiredDomain(String argument, String term) {
        if (!argument.startsWith(":") || argument.length() == 1) {
            throw SpfException.permerror("'" + term + "' needs a domain");
        }
        String spec = argument.substring(1);
        Macros.checkSyntax(spec, term);
        if (!DOMAIN_END.matcher(spec).find()) {
            throw SpfException.permerror("'" + term + "': the domain does not end with a top-level label or a macro");
        }
        return spec;
    }

    private static int prefix(String digits, int max, String term) {
        if (digits == null) {
            return -1;
        }
        if (!digits.matches("0|[1-9]\\d{0,2}")) {
            throw SpfException.permerror("bad prefix length in '" + term + "'");
        }
        int value = Integer.parseInt(digits);
        if (value > max) {
            throw SpfException.permerror("prefix length over " + max + " in '" + term + "'");
        }
        return value;
    }
}
