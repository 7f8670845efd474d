package com.diegonmarcos.mailpack.modules.search;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calendar day a Date: header names, "disregarding time and timezone" (RFC 3501 §6.4.4,
 * {@code SENTBEFORE}/{@code SENTON}/{@code SENTSINCE}): {@code Sun, 25 Mar 2007 00:00 +0200} is
 * 25 March 2007, although it is still the 24th in UTC. Lenient as RFC 5322 §4.3 asks of obsolete
 * forms: two- and three-digit years, any case, comments, missing day name or seconds.
 */
public final class SentDate {
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun",
        "jul", "aug", "sep", "oct", "nov", "dec");
    private static final Pattern DAY_MONTH_YEAR = Pattern.compile(
        "(?:^|[\\s,])(\\d{1,2})\\s*-?\\s*([A-Za-z]{3})[A-Za-z]*\\.?\\s*-?\\s*(\\d{2,4})(?!\\d)");
    private static final Pattern COMMENT = Pattern.compile("\\([^()]*\\)");

    private SentDate() {
    }

    /** The day of {@code value} (a Date: header's value); empty if it names none. */
    public static Optional<LocalDate> of(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String text = COMMENT.matcher(value).replaceAll(" ");
        Matcher matcher = DAY_MONTH_YEAR.matcher(text);
        while (matcher.find()) {
            int month = MONTHS.indexOf(matcher.group(2).toLowerCase(Locale.ROOT)) + 1;
            if (month == 0) {
                continue;
            }
            try {
                return Optional.of(LocalDate.of(year(matcher.group(3)), month, Integer.parseInt(matcher.group(1))));
            } catch (DateTimeException e) {
                return Optional.empty(); // 31 Feb: garbled
            }
        }
        return Optional.empty();
    }

    /** RFC 5322 §4.3: two digits below 50 are 20xx, others 19xx; three digits add 1900. */
    private static int year(String digits) {
        int year = Integer.parseInt(digits);
        if (digits.length() == 2) {
            return year < 50 ? 2000 + year : 1900 + year;
        }
        if (digits.length() == 3) {
            return 1900 + year;
        }
        return year;
    }
}
