package com.diegonmarcos.mailpack.modules.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SubstringMatcherTest {
    @ParameterizedTest(name = "{0} in {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "user-from@domain.org|RealFrom <user-from@domain.org>|true",
        "domain.org|RealFrom <user-from@domain.org>|true",
        "ser-fro|RealFrom <user-from@domain.org>|true",
        "REALfrom|RealFrom <user-from@domain.org>|true",
        "eautiful worl|A beautiful world|true",
        "sdfghjk|asdfghjkl|true",
        "worlds|A beautiful world|false",
        "aab|aaaab|true",
        "abab c|ababab c|true",
        "grüße|GRÜSSE|false",
        "GRÜßE|grüße aus Köln|true",
        "|anything|true"})
    void matchesSubstringsWithoutCase(String needle, String text, boolean expected) {
        assertThat(SubstringMatcher.of(needle == null ? "" : needle).in(text)).isEqualTo(expected);
    }

    @Test
    void findsAMatchAcrossTheChunksOfAStream() throws IOException {
        String text = "x".repeat(8191) + "needle" + "y".repeat(10_000);
        assertThat(SubstringMatcher.of("NEEDLE").in(new StringReader(text))).isTrue();
        assertThat(SubstringMatcher.of("needles").in(new StringReader(text))).isFalse();
    }

    @Test
    void readsAStreamOnlyUntilTheMatch() throws IOException {
        int[] read = {0};
        Reader endless = new Reader() {
            @Override
            public int read(char[] buffer, int offset, int length) {
                String chunk = read[0]++ == 0 ? "abc needle" : "z";
                chunk.getChars(0, chunk.length(), buffer, offset);
                return chunk.length();
            }

            @Override
            public void close() {
            }
        };
        assertThat(SubstringMatcher.of("needle").in(endless)).isTrue();
        assertThat(read[0]).isEqualTo(1);
    }

    @Test
    void separatedPiecesDoNotMatchAcross() {
        SubstringMatcher.Scan scan = SubstringMatcher.of("ab").scan();
        scan.feed("xa");
        scan.separate();
        scan.feed("bx");
        assertThat(scan.found()).isFalse();
    }
}
