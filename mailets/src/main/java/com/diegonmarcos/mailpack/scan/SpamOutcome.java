package com.diegonmarcos.mailpack.scan;

import java.util.Locale;

/** Where an rspamd action leads. */
public enum SpamOutcome {
    /** Delivered to the INBOX with score headers. */
    INBOX,
    /** Delivered to the recipients' Junk folder with {@code X-Spam-*} headers. */
    JUNK,
    /** {@code 451 4.7.1} during DATA: the sender may retry (greylisting, soft reject). */
    TEMPFAIL,
    /** {@code 550 5.7.1} during DATA: refused, never bounced later. */
    REJECT;

    public static SpamOutcome parse(String name, String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not one of inbox, junk, tempfail, reject");
        }
    }
}
