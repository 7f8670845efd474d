package com.diegonmarcos.mailpack.spf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.dns.DnsClient.RecordType;
import com.diegonmarcos.mailpack.dns.TxtResult;
import com.google.common.net.InetAddresses;

/**
 * SPF, RFC 7208: {@code check_host()} (§4) for the MAIL FROM identity, or the HELO identity when
 * MAIL FROM is empty (§2.4), over our {@link DnsClient} so that a failed lookup is
 * {@code temperror} (§2.6.6) and never a missing record. Limits (§4.6.4): at most
 * {@value #MAX_LOOKUPS} terms that cause DNS lookups (include, a, mx, ptr, exists, redirect), at
 * most {@value #MAX_VOID_LOOKUPS} lookups that find nothing, at most {@value #MAX_MX} MX and
 * {@value #MAX_PTR} PTR names per mechanism; beyond them: permerror. Nothing here throws for what
 * DNS may contain.
 */
public final class SpfChecker {
    static final int MAX_LOOKUPS = 10;
    static final int MAX_VOID_LOOKUPS = 2;
    static final int MAX_MX = 10;
    static final int MAX_PTR = 10;

    private final DnsClient dns;

    public SpfChecker(DnsClient dns) {
        this.dns = dns;
    }

    /**
     * @param ip the SMTP client's address
     * @param mailFrom the MAIL FROM address without brackets; empty for the null reverse-path
     * @param helo the HELO/EHLO name (may be empty)
     */
    public SpfVerdict check(InetAddress ip, String mailFrom, String helo) {
        String heloName = helo == null ? "" : helo.trim();
        String sender;
        String identity;
        if (mailFrom == null || mailFrom.isBlank()) {
            sender = "postmaster@" + heloName;
            identity = SpfVerdict.HELO;
        } else {
            sender = mailFrom.trim();
            identity = SpfVerdict.MAILFROM;
        }
        int at = sender.lastIndexOf('@');
        String localPart = at <= 0 ? "postmaster" : sender.substring(0, at);
        String domain = (at < 0 ? sender : sender.substring(at + 1)).toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        InetAddress client = unmapped(ip);
        Evaluation evaluation = new Evaluation(client, sender, localPart, domain, heloName);
        SpfResult result;
        String reason;
        try {
            Outcome outcome = evaluation.checkHost(domain);
            result = outcome.result;
            reason = outcome.reason;
        } catch (SpfException e) {
            result = e.result;
            reason = e.getMessage();
        }
        return new SpfVerdict(result, identity, domain, sender, reason);
    }

    private record Outcome(SpfResult result, String reason) {
    }

    /** An IPv4-mapped IPv6 address is checked as the IPv4 address (RFC 7208 §5). */
    static InetAddress unmapped(InetAddress ip) {
        byte[] bytes = ip.getAddress();
        if (ip instanceof Inet6Address && bytes.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= bytes[i] == 0;
            }
            mapped &= bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF;
            if (mapped) {
                return InetAddresses.fromIPv4BigInteger(new java.math.BigInteger(1, java.util.Arrays.copyOfRange(bytes, 12, 16)));
            }
        }
        return ip;
    }

    /** One check_host() run with its shared lookup counters. */
    private final class Evaluation {
        private final InetAddress ip;
        private final String sender;
        private final String localPart;
        private final String senderDomain;
        private final String helo;
        private int lookups;
        private int voidLookups;
        private List<String> clientNames;
        private TxtResult ptrAnswer;

        Evaluation(InetAddress ip, String sender, String localPart, String senderDomain, String helo) {
            this.ip = ip;
            this.sender = sender;
            this.localPart = localPart;
            this.senderDomain = senderDomain;
            this.helo = helo;
        }

        Outcome checkHost(String domain) {
            if (!validDomain(domain)) {
                return new Outcome(SpfResult.NONE, "'" + printable(domain) + "' is not a domain name that can have SPF");
            }
            TxtResult txt = dns.txt(domain);
            switch (txt.status()) {
                case TEMP_ERROR:
                    return new Outcome(SpfResult.TEMPERROR, "SPF record lookup failed: " + txt.detail());
                case FOUND:
                    break;
                default:
                    return new Outcome(SpfResult.NONE, "no SPF record at " + domain);
            }
            List<String> spf = new ArrayList<>();
            for (String record : txt.records()) {
                if (SpfRecord.isSpf(record)) {
                    spf.add(record);
                }
            }
            if (spf.isEmpty()) {
                return new Outcome(SpfResult.NONE, "no SPF record at " + domain);
            }
            if (spf.size() > 1) {
                return new Outcome(SpfResult.PERMERROR, domain + " has " + spf.size() + " SPF records");
            }
            SpfRecord record;
            try {
                record = SpfRecord.parse(spf.get(0));
            } catch (SpfException e) {
                return new Outcome(SpfResult.PERMERROR, domain + ": " + e.getMessage());
            }
            Macros.Context context = new Macros.Context(sender, localPart, senderDomain, domain, ip, helo, () -> validatedName(domain));
            for (SpfRecord.Directive directive : record.directives) {
                if (matches(directive, domain, context)) {
                    return new Outcome(directive.qualifier(), "matched " + directive.text() + " at " + domain);
                }
            }
            if (record.redirect.isPresent()) {
                countLookup();
                String target = Macros.expandDomain(record.redirect.get(), context);
                Outcome redirected = checkHost(target);
                if (redirected.result == SpfResult.NONE) {
                    return new Outcome(SpfResult.PERMERROR, "redirect=" + printable(target) + " has no SPF record");
                }
                return redirected;
            }
            return new Outcome(SpfResult.NEUTRAL, "no mechanism matched at " + domain);
        }

        private boolean matches(SpfRecord.Directive directive, String domain, Macros.Context context) {
            switch (directive.kind()) {
                case ALL:
                    return true;
                case IP4:
                    return ip instanceof Inet4Address && inNetwork(ip.getAddress(), directive.network(), prefix(directive.ip4Prefix(), 32));
                case IP6:
                    return ip instanceof Inet6Address && inNetwork(ip.getAddress(), directive.network(), prefix(directive.ip6Prefix(), 128));
                case A: {
                    countLookup();
                    String target = target(directive, domain, context);
                    return addressesMatch(addresses(target, true), directive);
                }
                case MX: {
                    countLookup();
                    String target = target(directive, domain, context);
                    List<String> exchanges = records(dns.lookup(target, RecordType.MX), true);
                    if (exchanges.size() > MAX_MX) {
                        throw SpfException.permerror(target + " has more than " + MAX_MX + " MX records");
                    }
                    for (String exchange : exchanges) {
                        String host = exchange.substring(exchange.indexOf(' ') + 1);
                        if (addressesMatch(addresses(host, false), directive)) {
                            return true;
                        }
                    }
                    return false;
                }
                case PTR:
                    countLookup();
                    return ptrMatches(target(directive, domain, context));
                case EXISTS: {
                    countLookup();
                    String target = Macros.expandDomain(directive.domainSpec(), context);
                    return !records(dns.lookup(target, RecordType.A), true).isEmpty();
                }
                case INCLUDE: {
                    countLookup();
                    String target = Macros.expandDomain(directive.domainSpec(), context);
                    Outcome included = checkHost(target);
                    switch (included.result) {
                        case PASS:
                            return true;
                        case FAIL:
                        case SOFTFAIL:
                        case NEUTRAL:
                            return false;
                        case TEMPERROR:
                            throw SpfException.temperror("include:" + printable(target) + ": " + included.reason);
                        default:
                            throw SpfException.permerror("include:" + printable(target) + ": " + included.reason);
                    }
                }
                default:
                    throw new IllegalStateException(directive.kind().toString());
            }
        }

        private String target(SpfRecord.Directive directive, String domain, Macros.Context context) {
            return directive.domainSpec() == null ? domain : Macros.expandDomain(directive.domainSpec(), context);
        }

        private List<String> addresses(String host, boolean countVoid) {
            return records(dns.lookup(host, ip instanceof Inet4Address ? RecordType.A : RecordType.AAAA), countVoid);
        }

        private boolean addressesMatch(List<String> addresses, SpfRecord.Directive directive) {
            boolean v4 = ip instanceof Inet4Address;
            int prefix = v4 ? prefix(directive.ip4Prefix(), 32) : prefix(directive.ip6Prefix(), 128);
            for (String address : addresses) {
                Optional<InetAddress> parsed = literal(address);
                if (parsed.isPresent() && inNetwork(ip.getAddress(), parsed.get().getAddress(), prefix)) {
                    return true;
                }
            }
            return false;
        }

        /** §5.5: validated names of the client that are the target or under it; DNS errors mean no match. */
        private boolean ptrMatches(String target) {
            List<String> names = clientNames();
            countVoid(ptrAnswer);
            return names.stream().anyMatch(name -> under(name, target));
        }

        /**
         * The client's validated names: its PTR names (at most {@value #MAX_PTR}) whose address records
         * include its address. Looked up once per evaluation, however many {@code ptr} terms and
         * {@code %{p}} macros the records hold, so that a record cannot make one evaluation ask
         * eleven questions per macro (found by fuzzing: 189 questions for one message).
         */
        private List<String> clientNames() {
            if (clientNames != null) {
                return clientNames;
            }
            TxtResult names = dns.lookup(reverseName(ip), RecordType.PTR);
            ptrAnswer = names;
            clientNames = new ArrayList<>();
            if (names.status() != TxtResult.Status.FOUND) {
                return clientNames;
            }
            for (String name : names.records().subList(0, Math.min(MAX_PTR, names.records().size()))) {
                TxtResult forward = dns.lookup(name, ip instanceof Inet4Address ? RecordType.A : RecordType.AAAA);
                if (forward.status() == TxtResult.Status.FOUND
                    && forward.records().stream().map(SpfChecker::literal).anyMatch(address -> address.equals(Optional.of(ip)))) {
                    clientNames.add(name.toLowerCase(Locale.ROOT));
                }
            }
            return clientNames;
        }

        /** §7.3 {@code %{p}}: a validated name under {@code domain} if any, else any validated name, else "unknown". */
        private String validatedName(String domain) {
            List<String> validated = clientNames();
            return validated.stream().filter(name -> under(name, domain)).findFirst()
                .orElse(validated.isEmpty() ? "unknown" : validated.get(0));
        }

        /** The records found; a failure is temperror, nothing found a void lookup. */
        private List<String> records(TxtResult result, boolean countVoid) {
            switch (result.status()) {
                case FOUND:
                    return result.records();
                case TEMP_ERROR:
                    throw SpfException.temperror("DNS lookup failed: " + result.detail());
                default:
                    if (countVoid) {
                        countVoid(result);
                    }
                    return List.of();
            }
        }

        private void countVoid(TxtResult result) {
            if (result.status() == TxtResult.Status.NXDOMAIN || result.status() == TxtResult.Status.NO_DATA) {
                voidLookups++;
                if (voidLookups > MAX_VOID_LOOKUPS) {
                    throw SpfException.permerror("more than " + MAX_VOID_LOOKUPS + " void DNS lookups");
                }
            }
        }

        private void countLookup() {
            lookups++;
            if (lookups > MAX_LOOKUPS) {
                throw SpfException.permerror("more than " + MAX_LOOKUPS + " DNS-querying terms");
            }
        }
    }

    /**
     * An address record's text as an address, or empty: a DNS answer is data, and text such as
     * {@code fe80::1%eth0} (a scope, which Guava's parser refuses with an exception) or garbage must
     * not match, nor throw.
     */
    static Optional<InetAddress> literal(String text) {
        if (text.indexOf('%') >= 0 || !InetAddresses.isInetAddress(text)) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddresses.forString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean under(String name, String domain) {
        String lowerName = name.toLowerCase(Locale.ROOT);
        String lowerDomain = domain.toLowerCase(Locale.ROOT);
        return lowerName.equals(lowerDomain) || lowerName.endsWith("." + lowerDomain);
    }

    private static int prefix(int given, int full) {
        return given < 0 ? full : given;
    }

    static boolean inNetwork(byte[] address, byte[] network, int prefix) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (address[full] & mask) == (network[full] & mask);
    }

    static String reverseName(InetAddress ip) {
        String dotted = Macros.dotted(ip);
        List<String> parts = new ArrayList<>(List.of(dotted.split("\\.")));
        java.util.Collections.reverse(parts);
        return String.join(".", parts) + (ip instanceof Inet4Address ? ".in-addr.arpa" : ".ip6.arpa");
    }

    /** §4.3: a multi-label name of at most 253 octets with labels of 1 to 63 octets. */
    static boolean validDomain(String domain) {
        if (domain.isEmpty() || domain.length() > 253 || !domain.contains(".")) {
            return false;
        }
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return false;
            }
            for (char c : label.toCharArray()) {
                if (c <= 0x20 || c >= 0x7F) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String printable(String text) {
        String cut = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        return cut.replaceAll("[^\\x21-\\x7E]", "?");
    }
}
