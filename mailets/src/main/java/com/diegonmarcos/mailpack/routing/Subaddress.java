package com.diegonmarcos.mailpack.routing;

import java.util.Optional;

import org.apache.james.core.MailAddress;

/**
 * RFC 5233 subaddressing: {@code diego+news@diegonmarcos.com} is {@code diego@} with detail
 * {@code news}. The separator is configurable; a local part that starts with it has no user part
 * and is not a subaddress. The detail may be empty ({@code diego+@}).
 */
public final class Subaddress {
    private final MailAddress base;
    private final String detail;

    private Subaddress(MailAddress base, String detail) {
        this.base = base;
        this.detail = detail;
    }

    public static Optional<Subaddress> parse(MailAddress address, String separator) {
        String local = address.getLocalPart();
        int at = local.indexOf(separator);
        if (separator.isEmpty() || at <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Subaddress(new MailAddress(local.substring(0, at), address.getDomain()),
                local.substring(at + separator.length())));
        } catch (javax.mail.internet.AddressException e) {
            return Optional.empty(); // e.g. a quoted local part cut in the middle
        }
    }

    public MailAddress base() {
        return base;
    }

    public String detail() {
        return detail;
    }
}
