package com.diegonmarcos.mailpack.it.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.it.TestClock;
import com.diegonmarcos.mailpack.ratelimit.MemoryRateLimitStore;
import com.diegonmarcos.mailpack.ratelimit.RateLimitStore;

class MemoryRateLimitStoreContractTest extends RateLimitStoreContract {
    @Override
    protected RateLimitStore createStore(TestClock clock) {
        return new MemoryRateLimitStore(clock);
    }

    @Test
    void idleBucketsShouldBeForgottenAfterADayAndStartFull() {
        assertThat(take(store, "idle", HUNDRED_PER_HOUR, 100)).isTrue();
        clock.advance(Duration.ofDays(2));
        assertThat(take(store, "idle", HUNDRED_PER_HOUR, 100)).isTrue();
    }
}
