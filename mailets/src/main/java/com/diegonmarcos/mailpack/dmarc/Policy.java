package com.diegonmarcos.mailpack.dmarc;

import java.util.Locale;
import java.util.Optional;

/** A DMARC policy or disposition (RFC 7489 §6.3 {@code p=}, §7.2 {@code disposition}), least strict first. */
public enum Policy {
    NONE, QUARANTINE, REJECT;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Policy> parse(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "none":
                return Optional.of(NONE);
            case "quarantine":
                return Optional.of(QUARANTINE);
            case "reject":
                return Optional.of(REJECT);
            default:
                return Optional.empty();
        }
    }

    /** The next less strict policy (§6.6.4, when a message is sampled out by {@code pct}). */
    Policy weaker() {
        return this == REJECT ? QUARANTINE : NONE;
    }

    public Policy max(Policy other) {
        return compareTo(other) >= 0 ? this : other;
    }

    @Override
    public String toString() {
        return token();
    }
}
