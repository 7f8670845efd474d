package com.diegonmarcos.mailpack.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;

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
    public Optional<Limit> tryConsume(String key, List<Limit> limits, long tokens) {
        return Buckets.verdict(bucket(key, limits).asVerbose().tryConsume(tokens), limits, tokens);
    }

    private Bucket bucket(String key, List<Limit> limits) {
        try {
            return buckets.get(Buckets.name(key, limits), () -> {
                LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(time);
                limits.forEach(limit -> builder.addLimit(Buckets.bandwidth(limit)));
                return builder.build();
            });
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public String name() {
        return "memory";
    }
}
