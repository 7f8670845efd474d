package com.diegonmarcos.mailpack.dmarc;

import java.util.Locale;

import com.google.common.net.InternetDomainName;

/**
 * RFC 7489 §3.2: the Organizational Domain is the public suffix (Public Suffix List, as shipped in
 * Guava's {@link InternetDomainName}) plus one label. A name under no listed suffix falls under the
 * implicit "*" rule of the list: its last label is the suffix.
 */
public final class OrganizationalDomain {
    private OrganizationalDomain() {
    }

    public static String of(String domain) {
        String name = normalize(domain);
        try {
            InternetDomainName parsed = InternetDomainName.from(name);
            if (parsed.isUnderPublicSuffix()) {
                return parsed.topPrivateDomain().toString();
            }
            if (parsed.isPublicSuffix()) {
                return name;
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // not a name Guava accepts: fall through to the label rule
        }
        String[] labels = name.split("\\.");
        if (labels.length <= 2) {
            return name;
        }
        return labels[labels.length - 2] + "." + labels[labels.length - 1];
    }

    /** Lower case, without the final dot. */
    public static String normalize(String domain) {
        String lower = domain.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** RFC 7489 §3.1: strict: the same name; relaxed: the same Organizational Domain. */
    public static boolean aligned(String a, String b, boolean strict) {
        String x = normalize(a);
        String y = normalize(b);
        return strict ? x.equals(y) : of(x).equals(of(y));
    }
}
