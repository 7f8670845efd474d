package com.diegonmarcos.mailpack.it.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.it.TestClock;
import com.diegonmarcos.mailpack.it.peers.TestRedis;
import com.diegonmarcos.mailpack.ratelimit.RateLimitStore;
import com.diegonmarcos.mailpack.ratelimit.RateLimitStoreException;
import com.diegonmarcos.mailpack.ratelimit.RateLimiter;
import com.diegonmarcos.mailpack.ratelimit.RedisRateLimitStore;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The store contract against a real redis-server, plus what only a shared store does. */
class RedisRateLimitStoreContractTest extends RateLimitStoreContract {
    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @Override
    protected RateLimitStore createStore(TestClock clock) {
        return new RedisRateLimitStore(REDIS.uri(), Duration.ofSeconds(1), clock);
    }

    @AfterEach
    void redisBackUp() throws Exception {
        REDIS.start();
    }

    @Test
    void twoStoresOnOneRedisShouldShareBuckets() {
        try (RateLimitStore other = createStore(clock)) {
            assertThat(take(store, "shared", TEN_PER_MINUTE, 6)).isTrue();
            assertThat(take(other, "shared", TEN_PER_MINUTE, 4)).isTrue();
            assertThat(take(other, "shared", TEN_PER_MINUTE, 1)).isFalse();
            assertThat(take(store, "shared", TEN_PER_MINUTE, 1)).isFalse();
        }
    }

    @Test
    void bucketsShouldExpireInRedis() {
        assertThat(take(store, "ttl", TEN_PER_MINUTE, 1)).isTrue();
        long ttl = Long.parseLong(REDIS.cli("PTTL", "mailpack:ratelimit:ttl|10/60s").trim());
        assertThat(ttl).isBetween(1L, Duration.ofMinutes(2).toMillis());
    }

    @Test
    void aStoppedRedisShouldFailQuicklyWithAStoreException() throws Exception {
        assertThat(take(store, "down", TEN_PER_MINUTE, 1)).isTrue();
        REDIS.stop();
        long start = System.nanoTime();
        assertThatThrownBy(() -> take(store, "down", TEN_PER_MINUTE, 1)).isInstanceOf(RateLimitStoreException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void failOpenShouldAllowWhileRedisIsDownWithOneWarnAndEnforceAgainAfter() throws Exception {
        ListAppender<ILoggingEvent> logs = capture(RateLimiter.class);
        RateLimiter limiter = new RateLimiter(store, true);
        List<com.diegonmarcos.mailpack.ratelimit.Limit> limits = List.of(TEN_PER_MINUTE);
        assertThat(limiter.acquire("open", limits, 10).isAllowed()).isTrue();
        assertThat(limiter.acquire("open", limits, 1).isAllowed()).isFalse();

        REDIS.stop();
        assertThat(limiter.acquire("open", limits, 1).isAllowed()).isTrue();
        assertThat(limiter.acquire("open", limits, 1).isAllowed()).isTrue();
        assertThat(logs.list).filteredOn(event -> event.getLevel() == Level.WARN)
            .singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
            .contains("Rate-limit store redis failed", "NOT enforced (fail-open)");

        REDIS.start();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
            .until(() -> !limiter.acquire("open", limits, 1).isAllowed());
        assertThat(logs.list).filteredOn(event -> event.getLevel() == Level.INFO)
            .extracting(ILoggingEvent::getFormattedMessage).anyMatch(message -> message.contains("answers again"));
    }

    @Test
    void failClosedShouldRefuseWhileRedisIsDown() throws Exception {
        RateLimiter limiter = new RateLimiter(store, false);
        assertThat(limiter.acquire("closed", List.of(TEN_PER_MINUTE), 1).isAllowed()).isTrue();
        REDIS.stop();
        assertThatThrownBy(() -> limiter.acquire("closed", List.of(TEN_PER_MINUTE), 1))
            .isInstanceOf(RateLimiter.StoreUnavailableException.class);
    }

    @Test
    void aStoreCreatedWhileRedisIsDownShouldConnectWhenItIsBack() throws Exception {
        REDIS.stop();
        try (RateLimitStore late = createStore(clock)) {
            assertThatThrownBy(() -> take(late, "late", TEN_PER_MINUTE, 1)).isInstanceOf(RateLimitStoreException.class);
            REDIS.start();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> take(late, "late", TEN_PER_MINUTE, 1));
        }
    }

    static ListAppender<ILoggingEvent> capture(Class<?> type) {
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }
}
