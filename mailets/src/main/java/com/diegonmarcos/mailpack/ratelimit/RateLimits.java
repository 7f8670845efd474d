package com.diegonmarcos.mailpack.ratelimit;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The events mailpack limits, each with its own bucket key: connections and messages per client
 * address (port 25), messages per local recipient (port 25), messages and recipients per
 * authenticated sender (587, 465) with per-user overrides.
 */
public final class RateLimits {
    private final RateLimiter limiter;
    private final RateLimitSettings settings;
    private final Map<String, SenderLimits> overrides = new ConcurrentHashMap<>();

    public RateLimits(RateLimiter limiter, RateLimitSettings settings) {
        this.limiter = limiter;
        this.settings = settings;
    }

    public RateVerdict connection(String ip) {
        return acquire("ip-connections:" + ip, settings.ipConnections(), 1);
    }

    public RateVerdict inboundMessage(String ip) {
        return acquire("ip-messages:" + ip, settings.ipMessages(), 1);
    }

    public RateVerdict inboundRecipient(String recipient) {
        return acquire("recipient-messages:" + recipient.toLowerCase(Locale.ROOT), settings.recipientMessages(), 1);
    }

    public RateVerdict senderMessage(String user) {
        return acquire("sender-messages:" + normalize(user), senderLimits(user).messages(), 1);
    }

    public RateVerdict senderRecipient(String user) {
        return acquire("sender-recipients:" + normalize(user), senderLimits(user).recipients(), 1);
    }

    private RateVerdict acquire(String key, List<Limit> limits, long tokens) {
        if (limits.isEmpty()) {
            return RateVerdict.allowed();
        }
        return limiter.acquire(key, limits, tokens);
    }

    /** The user's override, or the defaults of {@code conf/ratelimits.xml}. */
    public SenderLimits senderLimits(String user) {
        return Optional.ofNullable(overrides.get(normalize(user))).orElse(settings.sender());
    }

    public Optional<SenderLimits> override(String user) {
        return Optional.ofNullable(overrides.get(normalize(user)));
    }

    public void setOverride(String user, SenderLimits limits) {
        overrides.put(normalize(user), limits);
    }

    public boolean removeOverride(String user) {
        return overrides.remove(normalize(user)) != null;
    }

    public Map<String, SenderLimits> overrides() {
        return Map.copyOf(overrides);
    }

    public RateLimitSettings settings() {
        return settings;
    }

    private static String normalize(String user) {
        return user.toLowerCase(Locale.ROOT);
    }
}
