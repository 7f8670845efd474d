package com.diegonmarcos.mailpack.ratelimit;

/**
 * Token buckets by name: one bucket per (key, limit), holding {@link Limit#count()} tokens that all come
 * back once {@link Limit#window()} has passed. Implementations share one contract test suite.
 */
public interface RateLimitStore extends AutoCloseable {
    /**
     * Takes {@code tokens} from the bucket, or nothing when it holds fewer.
     *
     * @return whether the tokens were taken
     * @throws RateLimitStoreException when the store cannot be reached
     */
    boolean tryConsume(String key, Limit limit, long tokens);

    /** Gives back tokens taken by {@link #tryConsume} (a later limit refused the same event). */
    void refund(String key, Limit limit, long tokens);

    /** "memory" or "redis", for logs. */
    String name();

    @Override
    default void close() {
    }
}
