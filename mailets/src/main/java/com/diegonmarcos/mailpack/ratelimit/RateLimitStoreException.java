package com.diegonmarcos.mailpack.ratelimit;

/** The store of counters cannot answer (Redis down, timed out). */
public class RateLimitStoreException extends RuntimeException {
    public RateLimitStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
