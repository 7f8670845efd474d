package com.diegonmarcos.mailpack.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;

/**
 * Buckets in this JVM (single node, the default). Idle buckets are forgotten after a day (the longest
 * window) and at most {@code maxBuckets} are kept, so a flood of client addresses cannot exhaust memory.
 */
public final class MemoryRateLimitStore implements RateLimitStore {
    static final Duration IDLE = Duration.ofDays(1).plusMinutes(1);

    private final TimeMeter time;
    private final Cache<String, Bucket> buckets;

    public MemoryRateLimitStore(Clock clock, long maxBuckets) {
        this.time = Buckets.timeMeter(clock);
        this.buckets = CacheBuilder.newBuilder()
            .ticker(new Ticker() {
                @Override
                public long read() {
                    return clock.millis() * 1_000_000L;
                }
            })
            .expireAfterAccess(IDLE.toMillis(), TimeUnit.MILLISECONDS)
            .maximumSize(maxBuckets)
            .build();
    }

    public MemoryRateLimitStore(Clock clock) {
        this(clock, 20_000);
    }

    @Override
    public boolean tryConsume(String key, Limit limit, long tokens) {
        return bucket(key, limit).tryConsume(tokens);
    }

    @Override
    public void refund(String key, Limit limit, long tokens) {
        bucket(key, limit).addTokens(tokens);
    }

    private Bucket bucket(String key, Limit limit) {
        try {
            return buckets.get(key + "|" + limit.keySuffix(), () -> Bucket.builder()
                .addLimit(Buckets.configuration(limit).getBandwidths()[0])
                .withCustomTimePrecision(time)
                .build());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public String name() {
        return "memory";
    }
}
