package com.diegonmarcos.mailpack.spf;

/**
 * The outcome of an SPF check.
 *
 * @param result the RFC 7208 result
 * @param identity which identity was checked: {@code mailfrom} or {@code helo} (RFC 7208 §2.3, §2.4)
 * @param domain the domain checked (the MAIL FROM domain, or the HELO name when MAIL FROM is empty)
 * @param sender the sender as checked ({@code postmaster@<helo>} for an empty MAIL FROM, §2.4)
 * @param reason what decided it (the matching mechanism, the error), for logs and comments
 */
public record SpfVerdict(SpfResult result, String identity, String domain, String sender, String reason) {
    public static final String MAILFROM = "mailfrom";
    public static final String HELO = "helo";
}
