package com.diegonmarcos.mailpack.ratelimit;

import java.time.Duration;

/**
 * Brute-force thresholds: {@code ipFailures} failed logins from one address, or {@code accountFailures}
 * on one account from any address, within {@code window} start a ban of {@code firstBan}, doubled on each
 * repeat up to {@code maxBan}. A value of 0 switches that counter off.
 */
public final class LoginGuardSettings {
    private final int ipFailures;
    private final int accountFailures;
    private final Duration window;
    private final Duration firstBan;
    private final Duration maxBan;

    public LoginGuardSettings(int ipFailures, int accountFailures, Duration window, Duration firstBan, Duration maxBan) {
        if (ipFailures < 0 || accountFailures < 0) {
            throw new IllegalArgumentException("failure counts must be 0 (off) or positive");
        }
        if (window.isZero() || window.isNegative() || firstBan.isZero() || firstBan.isNegative()) {
            throw new IllegalArgumentException("window and ban must be positive durations");
        }
        if (maxBan.compareTo(firstBan) < 0) {
            throw new IllegalArgumentException("maxBan (" + maxBan + ") is shorter than ban (" + firstBan + ")");
        }
        this.ipFailures = ipFailures;
        this.accountFailures = accountFailures;
        this.window = window;
        this.firstBan = firstBan;
        this.maxBan = maxBan;
    }

    public int ipFailures() {
        return ipFailures;
    }

    public int accountFailures() {
        return accountFailures;
    }

    public Duration window() {
        return window;
    }

    public Duration firstBan() {
        return firstBan;
    }

    public Duration maxBan() {
        return maxBan;
    }

    @Override
    public String toString() {
        return ipFailures + " failures per address or " + accountFailures + " per account within " + window
            + " ban for " + firstBan + " (doubling, at most " + maxBan + ")";
    }
}
