package com.diegonmarcos.mailpack.ratelimit;

import java.time.Clock;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;

/** Bucket4j pieces shared by the stores: the bucket for a {@link Limit} and time from a {@link Clock}. */
final class Buckets {
    private Buckets() {
    }

    static BucketConfiguration configuration(Limit limit) {
        return BucketConfiguration.builder()
            .addLimit(Bandwidth.builder()
                .capacity(limit.count())
                .refillIntervally(limit.count(), limit.window())
                .build())
            .build();
    }

    static TimeMeter timeMeter(Clock clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clock.millis() * 1_000_000L;
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }
}
