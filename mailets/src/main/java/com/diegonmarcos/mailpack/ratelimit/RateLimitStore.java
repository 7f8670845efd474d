package com.diegonmarcos.mailpack.ratelimit;

import java.util.List;
import java.util.Optional;

/**
 * Token buckets by name: one bucket per key and set of limits, with one bandwidth per {@link Limit}
 * holding {@link Limit#count()} tokens that all come back once {@link Limit#window()} has passed.
 * Implementations share one contract test suite.
 */
public interface RateLimitStore extends AutoCloseable {
    /**
     * Takes {@code tokens} from every limit of the bucket at once, or from none.
     *
     * @return the first limit that has fewer tokens left (nothing taken), or empty when they were taken
     * @throws RateLimitStoreException when the store cannot be reached
     */
    Optional<Limit> tryConsume(String key, List<Limit> limits, long tokens);

    /** "memory" or "redis", for logs. */
    String name();

    @Override
    default void close() {
    }
}
