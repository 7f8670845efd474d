package com.diegonmarcos.mailpack.modules.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 3501 §6.4.4: the Date: header's day, disregarding time and time zone; RFC 5322 §3.3 and §4.3 forms. */
class SentDateTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Sun, 25 Mar 2007 00:00 +0200|2007-03-25",
        "Sat, 24 Mar 2007 23:30:00 -0700|2007-03-24",
        "25 Mar 2007 00:00:00 GMT|2007-03-25",
        "Mon, 1 jan 07 10:00 EST|2007-01-01",
        "Fri, 3 DEC 99 10:00 +0000|1999-12-03",
        "Thu, 13 Feb 103 23:32 -0330 (Newfoundland Time)|2003-02-13",
        "(a comment, 9 Jan 1990) Tue, 29 Feb 2000 08:00 +0100|2000-02-29",
        "Mon,12 Sep 2022 10:00 +0200|2022-09-12"})
    void theDayTheHeaderNames(String value, LocalDate expected) {
        assertThat(SentDate.of(value)).contains(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "yesterday", "31 Feb 2007 10:00 +0000", "2007-03-25T00:00:00Z", "99 Mar 2007", "1 Foo 2007"})
    void noDayInGarbage(String value) {
        assertThat(SentDate.of(value)).isEmpty();
    }
}
