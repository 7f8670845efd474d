package com.diegonmarcos.mailpack.dkim;

import java.util.Locale;

/** RFC 8601 §2.7.1 result tokens for the dkim method. */
public enum AuthResult {
    NONE, PASS, FAIL, POLICY, NEUTRAL, TEMPERROR, PERMERROR;

    /** The token as written in Authentication-Results ({@code pass}, {@code temperror}...). */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return token();
    }
}
