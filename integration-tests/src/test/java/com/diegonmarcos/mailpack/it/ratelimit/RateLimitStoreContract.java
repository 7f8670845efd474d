package com.diegonmarcos.mailpack.it.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.it.TestClock;
import com.diegonmarcos.mailpack.ratelimit.Limit;
import com.diegonmarcos.mailpack.ratelimit.RateLimitStore;
import com.diegonmarcos.mailpack.ratelimit.RateLimiter;
import com.diegonmarcos.mailpack.ratelimit.RateVerdict;

/**
 * What every {@link RateLimitStore} must do, run against each implementation (memory, Redis) by a
 * subclass that says how to make one. Time is a {@link TestClock} the tests move forward.
 */
abstract class RateLimitStoreContract {
    static final Limit TEN_PER_MINUTE = new Limit("messages", 10, Duration.ofMinutes(1));
    static final Limit HUNDRED_PER_HOUR = new Limit("recipients", 100, Duration.ofHours(1));

    protected final TestClock clock = new TestClock();
    protected RateLimitStore store;
    private String key;

    protected abstract RateLimitStore createStore(TestClock clock);

    @BeforeEach
    void createStoreAndKey() {
        store = createStore(clock);
        key = "contract-" + UUID.randomUUID();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void tryConsumeShouldTakeTokensUpToTheLimitThenRefuse() {
        for (int i = 0; i < 10; i++) {
            assertThat(store.tryConsume(key, TEN_PER_MINUTE, 1)).as("token %d", i + 1).isTrue();
        }
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 1)).isFalse();
    }

    @Test
    void aRefusedConsumeShouldTakeNothing() {
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 8)).isTrue();
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 3)).isFalse();
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 2)).isTrue();
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 1)).isFalse();
    }

    @Test
    void theAllowanceShouldComeBackWhenTheWindowHasPassedAndNotBefore() {
        assertThat(store.tryConsume(key, HUNDRED_PER_HOUR, 100)).isTrue();
        clock.advance(Duration.ofMinutes(59));
        assertThat(store.tryConsume(key, HUNDRED_PER_HOUR, 1)).isFalse();
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(store.tryConsume(key, HUNDRED_PER_HOUR, 100)).isTrue();
        assertThat(store.tryConsume(key, HUNDRED_PER_HOUR, 1)).isFalse();
    }

    @Test
    void keysShouldNotShareBuckets() {
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 10)).isTrue();
        assertThat(store.tryConsume(key + "-other", TEN_PER_MINUTE, 10)).isTrue();
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 1)).isFalse();
    }

    @Test
    void limitsOfOneKeyShouldNotShareBuckets() {
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 10)).isTrue();
        assertThat(store.tryConsume(key, HUNDRED_PER_HOUR, 100)).isTrue();
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 1)).isFalse();
        assertThat(store.tryConsume(key, HUNDRED_PER_HOUR, 1)).isFalse();
    }

    @Test
    void refundShouldGiveTokensBack() {
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 10)).isTrue();
        store.refund(key, TEN_PER_MINUTE, 2);
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 2)).isTrue();
        assertThat(store.tryConsume(key, TEN_PER_MINUTE, 1)).isFalse();
    }

    @Test
    void concurrentConsumersShouldGetExactlyTheLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> attempts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                attempts.add(() -> store.tryConsume(key, TEN_PER_MINUTE, 1));
            }
            long granted = 0;
            for (Future<Boolean> result : pool.invokeAll(attempts)) {
                granted += result.get() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void limiterShouldTakeFromEveryLimitOrFromNone() {
        Limit twoPerMinute = new Limit("messages", 2, Duration.ofMinutes(1));
        Limit threePerHour = new Limit("messages", 3, Duration.ofHours(1));
        RateLimiter limiter = new RateLimiter(store, true);
        List<Limit> limits = List.of(twoPerMinute, threePerHour);

        assertThat(limiter.acquire(key, limits, 1).isAllowed()).isTrue();
        assertThat(limiter.acquire(key, limits, 1).isAllowed()).isTrue();
        RateVerdict third = limiter.acquire(key, limits, 1);
        assertThat(third.exceeded()).contains(twoPerMinute);

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(limiter.acquire(key, limits, 1).isAllowed()).isTrue();
        RateVerdict fourth = limiter.acquire(key, limits, 1);
        assertThat(fourth.exceeded()).contains(threePerHour);
        // the refusal by the hour limit gave the minute token back
        assertThat(store.tryConsume(key, twoPerMinute, 1)).isTrue();
        assertThat(store.tryConsume(key, twoPerMinute, 1)).isFalse();
    }
}
