package com.diegonmarcos.mailpack.scan;

import java.util.Locale;

/**
 * What happens to infected mail ({@code reject}: {@code 554 5.7.1} at DATA; {@code quarantine}:
 * accepted and kept in a mail repository, never delivered), to mail above clamd's StreamMaxLength
 * ({@code accept} with {@code X-Virus-Status: unscanned (too large)}, or {@code tempfail}: 452) and
 * when clamd cannot answer.
 */
public record ClamavPolicy(OnInfected onInfected, OnTooLarge onTooLarge, FailurePolicy onFailure) {
    public enum OnInfected { REJECT, QUARANTINE }

    public enum OnTooLarge { ACCEPT, TEMPFAIL }

    public static OnInfected parseOnInfected(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "reject":
                return OnInfected.REJECT;
            case "quarantine":
                return OnInfected.QUARANTINE;
            default:
                throw new IllegalArgumentException("onInfected: '" + value + "' is neither reject nor quarantine");
        }
    }

    public static OnTooLarge parseOnTooLarge(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "accept":
                return OnTooLarge.ACCEPT;
            case "tempfail":
                return OnTooLarge.TEMPFAIL;
            default:
                throw new IllegalArgumentException("onTooLarge: '" + value + "' is neither accept nor tempfail");
        }
    }
}
