package com.diegonmarcos.mailpack.routing;

import java.util.Locale;

/**
 * What a catch-all does with a local part in a source-route form: {@code victim%example.org@} (the
 * "percent hack", RFC 5321 Appendix C) or {@code example.org!victim@} (a UUCP bang path, RFC 976).
 * Relay probes use these forms to see whether a server forwards mail onwards; a catch-all that takes
 * them answers "yes, delivered" to every probe and fills its mailbox with the replies. Refused by
 * default; a user or an alias whose name has a {@code %} or {@code !} is known and always accepted.
 */
public enum SourceRouteForms {
    /** refused like any unknown local part ({@code 550 5.1.1}) */
    REFUSE,
    /** taken by the catch-all like any other local part */
    ACCEPT;

    /** @throws IllegalArgumentException naming the accepted values */
    public static SourceRouteForms parse(String value) {
        for (SourceRouteForms forms : values()) {
            if (forms.asString().equals(value)) {
                return forms;
            }
        }
        throw new IllegalArgumentException("sourceRouteForms must be 'refuse' or 'accept', got '" + value + "'");
    }

    public String asString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a local part (as in the address, quoted or not) has the shape of a source route. */
    public static boolean isSourceRoute(String localPart) {
        return localPart.indexOf('%') >= 0 || localPart.indexOf('!') >= 0;
    }
}
