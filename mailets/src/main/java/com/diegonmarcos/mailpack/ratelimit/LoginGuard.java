package com.diegonmarcos.mailpack.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brute-force protection shared by SMTP AUTH, IMAP and POP3: counts failed logins per client address and
 * per account in a sliding window and bans the address (or the account) once a threshold is reached.
 * While banned, attempts are refused before any password is checked. A success clears the counters of
 * its address and account; the ban period doubles with each repeat offence (remembered for a day after
 * the ban ends).
 *
 * <p>Log lines (INFO, stable, for fail2ban; {@code user} is last, with blanks and control characters
 * replaced by {@code ?}):
 * <pre>
 * mailpack auth failure: protocol=imap ip=192.0.2.7 user=diego@diegonmarcos.com
 * mailpack auth ban: ip=192.0.2.7 seconds=900 until=2026-11-21T08:15:00Z offence=1 failures=5
 * mailpack auth ban: account=diego@diegonmarcos.com seconds=900 until=... offence=1 failures=20
 * mailpack auth refused: protocol=imap ip=192.0.2.7 user=... banned ip=192.0.2.7 until=...
 * </pre>
 * State is in this JVM (per node), also with the Redis rate-limit store.
 */
public final class LoginGuard {
    private static final Logger LOGGER = LoggerFactory.getLogger(LoginGuard.class);
    static final Duration OFFENCE_MEMORY = Duration.ofDays(1);
    private static final int PRUNE_EVERY = 1000;

    private static final class BanState {
        Instant until;
        int offence;
    }

    private final LoginGuardSettings settings;
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new HashMap<>();
    private final Map<String, BanState> bans = new HashMap<>();
    private int calls;

    public LoginGuard(LoginGuardSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** The ban that refuses this attempt, checked before the password. */
    public synchronized Optional<Ban> refusal(String protocol, String ip, String user) {
        Instant now = clock.instant();
        Optional<Ban> ban = active(Ban.Kind.ip, ip, now);
        if (ban.isEmpty() && user != null) {
            ban = active(Ban.Kind.account, normalize(user), now);
        }
        ban.ifPresent(b -> LOGGER.info("mailpack auth refused: protocol={} ip={} user={} banned {}={} until={}",
            protocol, ip, printable(user), b.kind(), b.value(), b.until()));
        return ban;
    }

    public synchronized void failed(String protocol, String ip, String user) {
        Instant now = clock.instant();
        LOGGER.info("mailpack auth failure: protocol={} ip={} user={}", protocol, ip, printable(user));
        if (ip != null && settings.ipFailures() > 0) {
            count(Ban.Kind.ip, ip, settings.ipFailures(), now);
        }
        if (user != null && settings.accountFailures() > 0) {
            count(Ban.Kind.account, normalize(user), settings.accountFailures(), now);
        }
        if (++calls % PRUNE_EVERY == 0) {
            prune(now);
        }
    }

    public synchronized void succeeded(String ip, String user) {
        if (ip != null) {
            failures.remove(key(Ban.Kind.ip, ip));
        }
        if (user != null) {
            failures.remove(key(Ban.Kind.account, normalize(user)));
        }
    }

    /** Current bans, longest first. */
    public synchronized List<Ban> bans() {
        Instant now = clock.instant();
        List<Ban> current = new ArrayList<>();
        bans.forEach((key, state) -> {
            if (state.until.isAfter(now)) {
                int colon = key.indexOf(':');
                current.add(new Ban(Ban.Kind.valueOf(key.substring(0, colon)), key.substring(colon + 1), state.until, state.offence));
            }
        });
        current.sort(Comparator.comparing(Ban::until).reversed());
        return current;
    }

    /** Lifts a ban and forgets its failures and repeat offences; false when there was no current ban. */
    public synchronized boolean lift(Ban.Kind kind, String value) {
        String normalized = kind == Ban.Kind.account ? normalize(value) : value;
        String key = key(kind, normalized);
        failures.remove(key);
        BanState state = bans.remove(key);
        boolean wasActive = state != null && state.until.isAfter(clock.instant());
        if (wasActive) {
            LOGGER.info("mailpack auth ban lifted: {}={}", kind, normalized);
        }
        return wasActive;
    }

    private void count(Ban.Kind kind, String value, int threshold, Instant now) {
        String key = key(kind, value);
        Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        times.addLast(now);
        Instant windowStart = now.minus(settings.window());
        while (!times.isEmpty() && !times.peekFirst().isAfter(windowStart)) {
            times.removeFirst();
        }
        if (times.size() < threshold) {
            return;
        }
        failures.remove(key);
        BanState state = bans.get(key);
        if (state == null || state.until.plus(OFFENCE_MEMORY).isBefore(now)) {
            state = new BanState();
            bans.put(key, state);
        }
        state.offence++;
        Duration period = banPeriod(state.offence);
        state.until = now.plus(period);
        LOGGER.info("mailpack auth ban: {}={} seconds={} until={} offence={} failures={}",
            kind, value, period.toSeconds(), state.until, state.offence, threshold);
    }

    Duration banPeriod(int offence) {
        Duration period = settings.firstBan();
        for (int i = 1; i < offence && period.compareTo(settings.maxBan()) < 0; i++) {
            period = period.multipliedBy(2);
        }
        return period.compareTo(settings.maxBan()) > 0 ? settings.maxBan() : period;
    }

    private Optional<Ban> active(Ban.Kind kind, String value, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        BanState state = bans.get(key(kind, value));
        if (state == null || !state.until.isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(new Ban(kind, value, state.until, state.offence));
    }

    private void prune(Instant now) {
        Instant windowStart = now.minus(settings.window());
        failures.values().removeIf(times -> times.isEmpty() || !times.peekLast().isAfter(windowStart));
        for (Iterator<BanState> it = bans.values().iterator(); it.hasNext(); ) {
            if (it.next().until.plus(OFFENCE_MEMORY).isBefore(now)) {
                it.remove();
            }
        }
    }

    private static String key(Ban.Kind kind, String value) {
        return kind + ":" + value;
    }

    private static String normalize(String user) {
        return user.toLowerCase(Locale.ROOT);
    }

    /** Blanks and control characters become '?', so a user name cannot forge a log line or field. */
    static String printable(String user) {
        if (user == null || user.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder(Math.min(user.length(), 256));
        user.codePoints().limit(256).forEach(c -> out.appendCodePoint(Character.isWhitespace(c) || Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }

    public LoginGuardSettings settings() {
        return settings;
    }
}
