package com.diegonmarcos.mailpack.dmarc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DMARC policy record (RFC 7489 §6.3, §6.4). Parsing is lenient where the RFC says so: unknown
 * tags are ignored; an invalid {@code p=} or {@code sp=} makes {@link #policy()} empty (§6.6.3
 * step 6 then decides); other invalid values fall back to the tag's default and are listed in
 * {@link #problems()}. Reporting addresses are kept only when they are plain {@code mailto:}
 * addresses (no CR/LF, no headers, no spaces), at most {@value #MAX_RUA} of them.
 *
 * @param policy p= (empty: missing or invalid)
 * @param subdomainPolicy sp= (empty: absent; {@link #subdomainPolicyInvalid} tells an invalid one)
 * @param strictDkim adkim=s
 * @param strictSpf aspf=s
 * @param percent pct=, 0 to 100
 * @param rua the usable aggregate report addresses
 * @param reportInterval ri= in seconds
 */
public record DmarcRecord(Optional<Policy> policy, Optional<Policy> subdomainPolicy, boolean subdomainPolicyInvalid,
                          boolean strictDkim, boolean strictSpf, int percent, List<ReportUri> rua, long reportInterval,
                          List<String> problems) {
    static final int MAX_RUA = 5;
    static final int MAX_RECORD_LENGTH = 8192;
    private static final Pattern VERSION_TAG = Pattern.compile("^[ \\t]*v[ \\t]*=[ \\t]*DMARC1[ \\t]*(;|$)");
    private static final Pattern URI = Pattern.compile("(?i)mailto:([^!]+)(?:!(\\d{1,12})([kmgt]?))?");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.!#$&'*+/=^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\\.?)*[A-Za-z0-9]");

    /**
     * An aggregate report destination.
     *
     * @param address the mailbox (percent-decoded)
     * @param maxBytes the {@code !size} limit (0: none)
     */
    public record ReportUri(String address, long maxBytes) {
        public String domain() {
            return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        }
    }

    /** Whether a TXT record is a DMARC record: it starts with {@code v=DMARC1} (§6.6.3 step 2). */
    static boolean isDmarc(String txt) {
        Matcher start = VERSION_TAG.matcher(txt);
        return start.find();
    }

    /** @throws IllegalArgumentException when the text is not a DMARC record at all (not v=DMARC1 first, or too long) */
    static DmarcRecord parse(String text) {
        if (!isDmarc(text)) {
            throw new IllegalArgumentException("not a DMARC record (v=DMARC1 must come first)");
        }
        if (text.length() > MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("DMARC record of " + text.length() + " characters (at most " + MAX_RECORD_LENGTH + ")");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String part : text.split(";")) {
            String tag = part.strip();
            if (tag.isEmpty()) {
                continue;
            }
            int equals = tag.indexOf('=');
            if (equals <= 0) {
                problems.add("'" + printable(tag) + "' is not tag=value");
                continue;
            }
            String name = tag.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            String value = tag.substring(equals + 1).strip();
            if (tags.putIfAbsent(name, value) != null) {
                problems.add("duplicate tag " + printable(name) + " (the first counts)");
            }
        }
        Optional<Policy> policy = Optional.ofNullable(tags.get("p")).flatMap(Policy::parse);
        if (!tags.containsKey("p")) {
            problems.add("no p= tag");
        } else if (policy.isEmpty()) {
            problems.add("invalid p=" + printable(tags.get("p")));
        }
        Optional<Policy> subdomainPolicy = Optional.ofNullable(tags.get("sp")).flatMap(Policy::parse);
        boolean spInvalid = tags.containsKey("sp") && subdomainPolicy.isEmpty();
        if (spInvalid) {
            problems.add("invalid sp=" + printable(tags.get("sp")));
        }
        boolean strictDkim = alignment(tags, "adkim", problems);
        boolean strictSpf = alignment(tags, "aspf", problems);
        int percent = 100;
        if (tags.containsKey("pct")) {
            String value = tags.get("pct");
            if (value.matches("\\d{1,3}") && Integer.parseInt(value) <= 100) {
                percent = Integer.parseInt(value);
            } else {
                problems.add("invalid pct=" + printable(value) + " (100 used)");
            }
        }
        long interval = 86400;
        if (tags.containsKey("ri")) {
            String value = tags.get("ri");
            if (value.matches("\\d{1,10}")) {
                interval = Long.parseLong(value);
            } else {
                problems.add("invalid ri=" + printable(value) + " (86400 used)");
            }
        }
        List<ReportUri> rua = new ArrayList<>();
        if (tags.containsKey("rua")) {
            for (String uri : tags.get("rua").split(",")) {
                Optional<ReportUri> parsed = reportUri(uri.strip());
                if (parsed.isEmpty()) {
                    problems.add("unusable rua URI '" + printable(uri.strip()) + "'");
                } else if (rua.size() >= MAX_RUA) {
                    problems.add("rua URIs beyond the first " + MAX_RUA + " ignored");
                    break;
                } else if (!rua.contains(parsed.get())) {
                    rua.add(parsed.get());
                }
            }
        }
        return new DmarcRecord(policy, subdomainPolicy, spInvalid, strictDkim, strictSpf, percent, List.copyOf(rua), interval,
            List.copyOf(problems));
    }

    private static boolean alignment(Map<String, String> tags, String name, List<String> problems) {
        String value = tags.getOrDefault(name, "r");
        if (value.equalsIgnoreCase("s")) {
            return true;
        }
        if (!value.equalsIgnoreCase("r")) {
            problems.add("invalid " + name + "=" + printable(value) + " (relaxed used)");
        }
        return false;
    }

    /** A mailto: URI with an optional size limit; anything else (http:, headers, CR/LF) is unusable. */
    static Optional<ReportUri> reportUri(String uri) {
        Matcher matcher = URI.matcher(uri);
        if (uri.length() > 320 || !matcher.matches()) {
            return Optional.empty();
        }
        String address = percentDecode(matcher.group(1));
        if (address == null || !ADDRESS.matcher(address).matches()) {
            return Optional.empty();
        }
        long max = 0;
        if (matcher.group(2) != null) {
            long number = Long.parseLong(matcher.group(2));
            int shift = switch (matcher.group(3).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                case "t" -> 40;
                default -> 0;
            };
            max = number > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : number << shift;
        }
        return Optional.of(new ReportUri(address, max));
    }

    private static String percentDecode(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || !text.substring(i + 1, i + 3).matches("[0-9A-Fa-f]{2}")) {
                    return null;
                }
                int value = Integer.parseInt(text.substring(i + 1, i + 3), 16);
                out.append((char) value);
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The p= to act on for a message whose From is {@code fromDomain}, the record found at {@code recordDomain}. */
    Optional<Policy> policyFor(boolean subdomain) {
        if (subdomain && subdomainPolicy.isPresent()) {
            return subdomainPolicy;
        }
        return policy;
    }

    static String printable(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7E]", "?").replace("\"", "'");
    }
}
