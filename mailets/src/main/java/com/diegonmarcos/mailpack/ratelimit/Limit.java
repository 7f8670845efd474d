package com.diegonmarcos.mailpack.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * At most {@code count} {@code what} (messages, recipients, connections) per {@code window}. The
 * window is fixed: the whole allowance comes back when it has passed since the first use.
 */
public final class Limit {
    private final String what;
    private final long count;
    private final Duration window;

    public Limit(String what, long count, Duration window) {
        if (count <= 0) {
            throw new IllegalArgumentException("a limit must be positive, got " + count + " " + what);
        }
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("a window must be positive, got " + window);
        }
        if (count > window.toNanos() / 1000) {
            throw new IllegalArgumentException(count + " " + what + " per " + windowName(window) + " is more than one per microsecond");
        }
        this.what = Objects.requireNonNull(what);
        this.count = count;
        this.window = window;
    }

    public String what() {
        return what;
    }

    public long count() {
        return count;
    }

    public Duration window() {
        return window;
    }

    /** "100 recipients per hour", for SMTP replies and logs. */
    public String describe() {
        return count + " " + what + " per " + windowName(window);
    }

    static String windowName(Duration window) {
        if (window.equals(Duration.ofMinutes(1))) {
            return "minute";
        }
        if (window.equals(Duration.ofHours(1))) {
            return "hour";
        }
        if (window.equals(Duration.ofDays(1))) {
            return "day";
        }
        return window.toSeconds() + " seconds";
    }

    /** Part of a bucket key: one bucket per limit and window. */
    String keySuffix() {
        return count + "/" + window.toSeconds() + "s";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Limit)) {
            return false;
        }
        Limit other = (Limit) o;
        return what.equals(other.what) && count == other.count && window.equals(other.window);
    }

    @Override
    public int hashCode() {
        return Objects.hash(what, count, window);
    }

    @Override
    public String toString() {
        return describe();
    }
}
