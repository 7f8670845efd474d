package com.diegonmarcos.mailpack.bench;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import com.diegonmarcos.mailpack.ratelimit.Limit;
import com.diegonmarcos.mailpack.ratelimit.MemoryRateLimitStore;
import com.diegonmarcos.mailpack.ratelimit.RateLimitSettings;
import com.diegonmarcos.mailpack.ratelimit.RateLimitStore;
import com.diegonmarcos.mailpack.ratelimit.RateLimiter;
import com.diegonmarcos.mailpack.ratelimit.RateLimits;
import com.diegonmarcos.mailpack.ratelimit.RedisRateLimitStore;
import com.diegonmarcos.mailpack.ratelimit.SenderLimits;

/**
 * What the rate limits add per message, as the SMTP hooks call them, with limits so high that nothing
 * is refused (the common case): {@code inboundMessage} = port 25, one connection, one MAIL, one RCPT
 * (3 buckets of one window); {@code submittedMessage} = submission, one MAIL and one RCPT of an
 * authenticated user (2 buckets of 3 windows: minute, hour, day). Store {@code memory} or {@code redis} (a real
 * redis-server at the URI in the system property {@code ratelimit.redis}, started by bench/ratelimit.sh).
 * Client addresses and users rotate over 2,000 keys (all their buckets fit the memory store's 20,000).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(1)
public class RateLimitBenchmark {
    private static final int KEYS = 2_000;
    private static final long HIGH = 10_000_000L;

    @Param({"memory", "redis"})
    public String store;

    private RateLimitStore backend;
    private RateLimits limits;
    private String[] ips;
    private String[] users;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        Clock clock = Clock.systemUTC();
        backend = store.equals("redis")
            ? new RedisRateLimitStore(System.getProperty("ratelimit.redis", "redis://127.0.0.1:6379"), Duration.ofSeconds(2), clock)
            : new MemoryRateLimitStore(clock);
        SenderLimits sender = new SenderLimits(windows("messages"), windows("recipients"));
        limits = new RateLimits(new RateLimiter(backend, false),
            new RateLimitSettings(sender, minute("connections"), minute("messages"), minute("messages")));
        ips = new String[KEYS];
        users = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            ips[i] = "198.51." + (i / 256) + "." + (i % 256);
            users[i] = "user" + i + "@diegonmarcos.com";
        }
    }

    private static java.util.List<Limit> minute(String what) {
        return java.util.List.of(new Limit(what, HIGH, Duration.ofMinutes(1)));
    }

    private static java.util.List<Limit> windows(String what) {
        return java.util.List.of(new Limit(what, HIGH, Duration.ofMinutes(1)), new Limit(what, HIGH, Duration.ofHours(1)),
            new Limit(what, HIGH, Duration.ofDays(1)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public boolean inboundMessage() {
        int i = next++ % KEYS;
        String ip = ips[i];
        return limits.connection(ip).isAllowed() & limits.inboundMessage(ip).isAllowed()
            & limits.inboundRecipient(users[i]).isAllowed();
    }

    @Benchmark
    public boolean submittedMessage() {
        String user = users[next++ % KEYS];
        return limits.senderMessage(user).isAllowed() & limits.senderRecipient(user).isAllowed();
    }
}
