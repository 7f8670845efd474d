package com.diegonmarcos.mailpack.spf;

import java.util.Locale;

/** RFC 7208 §2.6 results, written as RFC 8601 tokens. */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The result for a token ({@code pass}, {@code temperror}...), case-insensitive. */
    public static SpfResult of(String token) {
        return valueOf(token.trim().toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return token();
    }
}
