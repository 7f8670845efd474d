package com.diegonmarcos.mailpack.modules.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class LookupCacheTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicInteger loads = new AtomicInteger();
    private final LookupCache<String, Boolean> cache = new LookupCache<>(Duration.ofNanos(100), 3, now::get);

    private Boolean load(String key) {
        loads.incrementAndGet();
        return key.startsWith("known");
    }

    @Test
    void answersFromTheCacheUntilTheTimeLimit() {
        assertThat(cache.get("known-1", this::load)).isTrue();
        now.addAndGet(99);
        assertThat(cache.get("known-1", this::load)).isTrue();
        assertThat(loads).hasValue(1);

        now.addAndGet(1);
        assertThat(cache.get("known-1", this::load)).isTrue();
        assertThat(loads).hasValue(2);
    }

    @Test
    void negativeAnswersAreCachedToo() {
        assertThat(cache.get("other", this::load)).isFalse();
        assertThat(cache.get("other", this::load)).isFalse();
        assertThat(loads).hasValue(1);
    }

    @Test
    void invalidationIsSeenByTheNextLookup() {
        cache.get("known-1", this::load);
        cache.invalidateAll();
        cache.get("known-1", this::load);
        assertThat(loads).hasValue(2);
    }

    @Test
    void aLookupRunningDuringAnInvalidationDoesNotStoreItsStaleAnswer() {
        Boolean answer = cache.get("known-1", key -> {
            cache.invalidateAll();
            return load(key);
        });
        assertThat(answer).isTrue();
        cache.get("known-1", this::load);
        assertThat(loads).hasValue(2);
    }

    @Test
    void failuresAreNotCached() {
        assertThatThrownBy(() -> cache.get("known-1", key -> {
            throw new IOException("database down");
        })).isInstanceOf(IOException.class);
        assertThat(cache.get("known-1", this::load)).isTrue();
        assertThat(loads).hasValue(1);
    }

    @Test
    void staysBoundedWhenFull() {
        for (int i = 0; i < 10; i++) {
            cache.get("known-" + i, this::load);
        }
        // full at 3 entries: it started over, so the first keys are looked up again
        cache.get("known-0", this::load);
        assertThat(loads).hasValue(11);
    }

    @Test
    void rejectsANullAnswer() {
        assertThatThrownBy(() -> cache.get("x", key -> null)).isInstanceOf(NullPointerException.class);
    }
}
