package com.diegonmarcos.mailpack.ratelimit;

import java.util.Optional;

/** The answer of the limiter for one event: allowed, or the limit it would exceed. */
public final class RateVerdict {
    private static final RateVerdict ALLOWED = new RateVerdict(null);

    private final Limit exceeded;

    private RateVerdict(Limit exceeded) {
        this.exceeded = exceeded;
    }

    public static RateVerdict allowed() {
        return ALLOWED;
    }

    public static RateVerdict exceeded(Limit limit) {
        return new RateVerdict(limit);
    }

    public boolean isAllowed() {
        return exceeded == null;
    }

    public Optional<Limit> exceeded() {
        return Optional.ofNullable(exceeded);
    }

    @Override
    public String toString() {
        return exceeded == null ? "allowed" : "exceeded " + exceeded.describe();
    }
}
