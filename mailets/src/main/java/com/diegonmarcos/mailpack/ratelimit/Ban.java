package com.diegonmarcos.mailpack.ratelimit;

import java.time.Instant;

/** A current ban: of a client address ({@code ip}) or of an account ({@code account}). */
public final class Ban {
    public enum Kind { ip, account }

    private final Kind kind;
    private final String value;
    private final Instant until;
    private final int offence;

    public Ban(Kind kind, String value, Instant until, int offence) {
        this.kind = kind;
        this.value = value;
        this.until = until;
        this.offence = offence;
    }

    public Kind kind() {
        return kind;
    }

    public String value() {
        return value;
    }

    public Instant until() {
        return until;
    }

    /** 1 for the first ban, 2 for the next one, ... (the period doubles each time). */
    public int offence() {
        return offence;
    }

    @Override
    public String toString() {
        return kind + "=" + value + " until " + until;
    }
}
