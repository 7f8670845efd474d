package com.diegonmarcos.mailpack.ratelimit;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;

/** Bucket4j pieces shared by the stores: the bucket for a set of {@link Limit}s and time from a {@link Clock}. */
final class Buckets {
    private Buckets() {
    }

    static BucketConfiguration configuration(List<Limit> limits) {
        ConfigurationBuilder builder = BucketConfiguration.builder();
        for (Limit limit : limits) {
            builder.addLimit(bandwidth(limit));
        }
        return builder.build();
    }

    static Bandwidth bandwidth(Limit limit) {
        return Bandwidth.builder()
            .capacity(limit.count())
            .refillIntervally(limit.count(), limit.window())
            .build();
    }

    /** One bucket per key and set of limits: changing a user's limits starts a fresh bucket. */
    static String name(String key, List<Limit> limits) {
        return key + "|" + limits.stream().map(Limit::keySuffix).collect(Collectors.joining(","));
    }

    /** Empty when the tokens were taken, else the first limit whose bandwidth lacked them. */
    static Optional<Limit> verdict(VerboseResult<Boolean> result, List<Limit> limits, long tokens) {
        if (result.getValue()) {
            return Optional.empty();
        }
        for (int i = 0; i < limits.size(); i++) {
            if (result.getState().getCurrentSize(i) < tokens) {
                return Optional.of(limits.get(i));
            }
        }
        return Optional.of(limits.get(0));
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
