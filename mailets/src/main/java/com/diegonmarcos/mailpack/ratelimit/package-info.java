/**
 * Rate limits and brute-force protection, knowing nothing of SMTP or IMAP.
 *
 * <p>{@link com.diegonmarcos.mailpack.ratelimit.RateLimiter} takes tokens from Bucket4j token buckets
 * held by a {@link com.diegonmarcos.mailpack.ratelimit.RateLimitStore}: in this JVM
 * ({@link com.diegonmarcos.mailpack.ratelimit.MemoryRateLimitStore}) or in Redis for several nodes
 * ({@link com.diegonmarcos.mailpack.ratelimit.RedisRateLimitStore}). {@link com.diegonmarcos.mailpack.ratelimit.LoginGuard}
 * counts failed logins per client address and per account and bans for a period that grows on repeat.
 * Time always comes from an injected {@link java.time.Clock}.
 */
package com.diegonmarcos.mailpack.ratelimit;
