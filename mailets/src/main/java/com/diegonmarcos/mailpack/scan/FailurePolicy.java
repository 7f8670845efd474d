package com.diegonmarcos.mailpack.scan;

import java.util.Locale;

/** What to do with mail when a scanner cannot answer (down, timeout, garbage). */
public enum FailurePolicy {
    /** Accept, with an {@code X-...-Status: unscanned} header and a WARN log. */
    OPEN,
    /** Answer {@code 451}: the sender retries later, nothing unscanned gets in. */
    CLOSED;

    /** {@code open}, {@code fail-open}, {@code closed} or {@code fail-closed}. */
    public static FailurePolicy parse(String name, String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "open":
            case "fail-open":
                return OPEN;
            case "closed":
            case "fail-closed":
                return CLOSED;
            default:
                throw new IllegalArgumentException(name + ": '" + value + "' is neither fail-open nor fail-closed");
        }
    }
}
