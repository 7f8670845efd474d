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
            assertThat(take(store, key, TEN_PER_MINUTE, 1)).as("token %d", i + 1).isTrue();
        }
        assertThat(take(store, key, TEN_PER_MINUTE, 1)).isFalse();
    }

    @Test
    void aRefusedConsumeShouldTakeNothing() {
        assertThat(take(store, key, TEN_PER_MINUTE, 8)).isTrue();
        assertThat(take(store, key, TEN_PER_MINUTE, 3)).isFalse();
        assertThat(take(store, key, TEN_PER_MINUTE, 2)).isTrue();
        assertThat(take(store, key, TEN_PER_MINUTE, 1)).isFalse();
    }

    @Test
    void theAllowanceShouldComeBackWhenTheWindowHasPassedAndNotBefore() {
        assertThat(take(store, key, HUNDRED_PER_HOUR, 100)).isTrue();
        clock.advance(Duration.ofMinutes(59));
        assertThat(take(store, key, HUNDRED_PER_HOUR, 1)).isFalse();
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(take(store, key, HUNDRED_PER_HOUR, 100)).isTrue();
        assertThat(take(store, key, HUNDRED_PER_HOUR, 1)).isFalse();
    }

    @Test
    void keysShouldNotShareBuckets() {
        assertThat(take(store, key, TEN_PER_MINUTE, 10)).isTrue();
        assertThat(take(store, key + "-other", TEN_PER_MINUTE, 10)).isTrue();
        assertThat(take(store, key, TEN_PER_MINUTE, 1)).isFalse();
    }

    @Test
    void limitsOfOneKeyShouldNotShareBuckets() {
        assertThat(take(store, key, TEN_PER_MINUTE, 10)).isTrue();
        assertThat(take(store, key, HUNDRED_PER_HOUR, 100)).isTrue();
        assertThat(take(store, key, TEN_PER_MINUTE, 1)).isFalse();
        assertThat(take(store, key, HUNDRED_PER_HOUR, 1)).isFalse();
    }

    @Test
    void concurrentConsumersShouldGetExactlyTheLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> attempts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                attempts.add(() -> take(store, key, TEN_PER_MINUTE, 1));
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
    void everyLimitOfAnEventShouldGiveItsTokensOrNoneShould() {
        Limit twoPerMinute = new Limit("messages", 2, Duration.ofMinutes(1));
        Limit threePerHour = new Limit("messages", 3, Duration.ofHours(1));
        List<Limit> limits = List.of(twoPerMinute, threePerHour);

        assertThat(store.tryConsume(key, limits, 1)).isEmpty();
        assertThat(store.tryConsume(key, limits, 1)).isEmpty();
        assertThat(store.tryConsume(key, limits, 1)).contains(twoPerMinute);

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(store.tryConsume(key, limits, 1)).isEmpty();
        assertThat(store.tryConsume(key, limits, 1)).contains(threePerHour);
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        // the refusal by the hour limit took nothing from the minute limit either
        assertThat(store.tryConsume(key, limits, 2)).contains(threePerHour);
        clock.advance(Duration.ofHours(1));
        assertThat(store.tryConsume(key, limits, 2)).isEmpty();
    }

    @Test
    void limiterShouldNameTheExceededLimit() {
        Limit onePerMinute = new Limit("recipients", 1, Duration.ofMinutes(1));
        RateLimiter limiter = new RateLimiter(store, true);
        assertThat(limiter.acquire(key, List.of(HUNDRED_PER_HOUR, onePerMinute), 1).isAllowed()).isTrue();
        RateVerdict second = limiter.acquire(key, List.of(HUNDRED_PER_HOUR, onePerMinute), 1);
        assertThat(second.exceeded()).contains(onePerMinute);
        assertThat(second.exceeded().orElseThrow().describe()).isEqualTo("1 recipients per minute");
    }

    /** One limit alone: whether the tokens were taken. */
    static boolean take(RateLimitStore store, String key, Limit limit, long tokens) {
        return store.tryConsume(key, List.of(limit), tokens).isEmpty();
    }
}
