package com.diegonmarcos.mailpack.dmarc;

import java.util.Locale;

/** RFC 8601 / RFC 7489 §11.2 results of the dmarc method. */
public enum DmarcResult {
    NONE, PASS, FAIL, TEMPERROR, PERMERROR;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return token();
    }
}
