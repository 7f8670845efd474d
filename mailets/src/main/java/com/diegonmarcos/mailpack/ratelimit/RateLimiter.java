package com.diegonmarcos.mailpack.ratelimit;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one event against several limits (per minute, hour, day) at once, in one bucket with a
 * bandwidth per limit: either every limit gives its tokens, or none does. When the store fails the event is allowed ({@code failOpen}, the
 * default, with one WARN when the store goes down and one INFO when it is back) or refused.
 */
public final class RateLimiter {
    private static final Logger LOGGER = LoggerFactory.getLogger(RateLimiter.class);

    public static final class StoreUnavailableException extends RuntimeException {
        StoreUnavailableException(RateLimitStoreException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final RateLimitStore store;
    private final boolean failOpen;
    private final AtomicBoolean storeDown = new AtomicBoolean(false);

    public RateLimiter(RateLimitStore store, boolean failOpen) {
        this.store = store;
        this.failOpen = failOpen;
    }

    /**
     * Takes {@code tokens} for {@code key} from every limit, or from none.
     *
     * @throws StoreUnavailableException when the store fails and the policy is fail-closed
     */
    public RateVerdict acquire(String key, List<Limit> limits, long tokens) {
        try {
            Optional<Limit> exceeded = store.tryConsume(key, limits, tokens);
            storeUp();
            return exceeded.map(RateVerdict::exceeded).orElse(RateVerdict.allowed());
        } catch (RateLimitStoreException e) {
            if (storeDown.compareAndSet(false, true)) {
                LOGGER.warn("Rate-limit store {} failed ({}): {} until it is back", store.name(), e.getMessage(),
                    failOpen ? "limits are NOT enforced (fail-open)" : "limited events are refused with 451 (fail-closed)");
            }
            if (failOpen) {
                return RateVerdict.allowed();
            }
            throw new StoreUnavailableException(e);
        }
    }

    private void storeUp() {
        if (storeDown.compareAndSet(true, false)) {
            LOGGER.info("Rate-limit store {} answers again: limits enforced", store.name());
        }
    }

    public RateLimitStore store() {
        return store;
    }
}
