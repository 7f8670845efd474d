package com.diegonmarcos.mailpack.routing;

import java.util.Optional;

import org.apache.james.core.MailAddress;

/** What happens to one recipient of a local domain. */
public final class RecipientVerdict {
    public enum Kind {
        /** a user, an alias or another mapping: James delivers it as it is */
        KNOWN,
        /** a subaddress of a known address: deliver to {@link #address()}, optionally into folder {@link #detail()} */
        SUBADDRESS,
        /** unknown, caught by the domain's catch-all: deliver to {@link #address()} */
        CAUGHT,
        /** unknown and not caught (no catch-all, or an excluded local part): refuse with 550 5.1.1 */
        UNKNOWN
    }

    private final Kind kind;
    private final MailAddress address;
    private final Optional<String> detail;

    private RecipientVerdict(Kind kind, MailAddress address, Optional<String> detail) {
        this.kind = kind;
        this.address = address;
        this.detail = detail;
    }

    static RecipientVerdict known(MailAddress address) {
        return new RecipientVerdict(Kind.KNOWN, address, Optional.empty());
    }

    static RecipientVerdict subaddress(MailAddress base, String detail) {
        return new RecipientVerdict(Kind.SUBADDRESS, base, Optional.of(detail));
    }

    static RecipientVerdict caught(MailAddress target) {
        return new RecipientVerdict(Kind.CAUGHT, target, Optional.empty());
    }

    static RecipientVerdict unknown(MailAddress address) {
        return new RecipientVerdict(Kind.UNKNOWN, address, Optional.empty());
    }

    public Kind kind() {
        return kind;
    }

    /** Where the mail goes (the recipient itself when {@link Kind#KNOWN} or {@link Kind#UNKNOWN}). */
    public MailAddress address() {
        return address;
    }

    public Optional<String> detail() {
        return detail;
    }

    public boolean accepted() {
        return kind != Kind.UNKNOWN;
    }

    @Override
    public String toString() {
        return kind + " " + address + detail.map(d -> " detail=" + d).orElse("");
    }
}
