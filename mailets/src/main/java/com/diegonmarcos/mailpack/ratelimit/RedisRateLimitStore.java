package com.diegonmarcos.mailpack.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

/**
 * Buckets in Redis, shared by every node that points at the same server (Bucket4j's compare-and-swap
 * proxy over Lettuce: one read and one compare-and-swap per call, whatever the number of windows). Keys are
 * {@code mailpack:ratelimit:<key>|<count>/<seconds>s,...} and expire once the bucket
 * would be full again. Every call answers within {@code timeout} or throws
 * {@link RateLimitStoreException}: commands are refused at once while the connection is down, and a
 * failed connection is retried at most every {@code timeout} (at least one second).
 */
public final class RedisRateLimitStore implements RateLimitStore {
    private static final Logger LOGGER = LoggerFactory.getLogger(RedisRateLimitStore.class);
    static final String PREFIX = "mailpack:ratelimit:";

    private final RedisClient client;
    private final RedisURI uri;
    private final Clock clock;
    private final Duration timeout;
    private final Duration retryAfter;
    private StatefulRedisConnection<String, byte[]> connection;
    private ProxyManager<String> buckets;
    private long nextAttemptMillis;

    public RedisRateLimitStore(String uri, Duration timeout, Clock clock) {
        this.uri = RedisURI.create(uri);
        this.uri.setTimeout(timeout);
        this.clock = clock;
        this.timeout = timeout;
        this.retryAfter = timeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : timeout;
        this.client = RedisClient.create();
        this.client.setOptions(ClientOptions.builder()
            .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    }

    @Override
    public Optional<Limit> tryConsume(String key, List<Limit> limits, long tokens) {
        ProxyManager<String> proxies = connected();
        try {
            return Buckets.verdict(proxies.builder().build(PREFIX + Buckets.name(key, limits), () -> Buckets.configuration(limits))
                .asVerbose().tryConsume(tokens), limits, tokens);
        } catch (RuntimeException e) {
            throw new RateLimitStoreException("Redis at " + where() + ": " + e.getMessage(), e);
        }
    }

    private synchronized ProxyManager<String> connected() {
        if (buckets != null) {
            return buckets;
        }
        long now = System.currentTimeMillis();
        if (now < nextAttemptMillis) {
            throw new RateLimitStoreException("Redis at " + where() + " unreachable, next attempt in "
                + (nextAttemptMillis - now) + " ms", null);
        }
        try {
            connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), uri);
            buckets = LettuceBasedProxyManager.builderFor(connection)
                .withClientSideConfig(ClientSideConfig.getDefault()
                    .withClientClock(Buckets.timeMeter(clock))
                    .withRequestTimeout(timeout))
                .withExpirationStrategy(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                .build();
            LOGGER.info("Rate limits stored in Redis at {}", where());
            return buckets;
        } catch (RuntimeException e) {
            nextAttemptMillis = now + retryAfter.toMillis();
            throw new RateLimitStoreException("cannot connect to Redis at " + where() + ": " + e.getMessage(), e);
        }
    }

    private String where() {
        return uri.getHost() + ":" + uri.getPort();
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
