package com.diegonmarcos.mailpack.modules.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.modules.search.MessageText.HeaderField;

class HeaderCacheTest {
    private static final LocalDate DAY = LocalDate.of(2007, 3, 25);

    @Test
    void keepsTheSearchedFieldsAndTheSentDayOnly() {
        HeaderCache cache = new HeaderCache(10);
        cache.put("1", 7, List.of(new HeaderField("FROM", "Real <a@b.org>"), new HeaderField("X-Extra", "x"),
            new HeaderField("Subject", "one")), DAY);
        HeaderCache.Entry entry = cache.get("1", 7).orElseThrow();
        assertThat(entry.fields()).containsExactly(new HeaderField("From", "Real <a@b.org>"), new HeaderField("Subject", "one"));
        assertThat(entry.sentDay()).isEqualTo(DAY);
        assertThat(cache.get("1", 8)).isEmpty();
        assertThat(cache.get("2", 7)).isEmpty();
        assertThat(HeaderCache.keeps("bcc")).isTrue();
        assertThat(HeaderCache.keeps("X-Extra")).isFalse();
    }

    @Test
    void dropsTheFolderUsedLongestAgoBeyondItsCapacity() {
        HeaderCache cache = new HeaderCache(4);
        for (long uid = 1; uid <= 2; uid++) {
            cache.put("old", uid, List.of(), DAY);
            cache.put("recent", uid, List.of(), DAY);
        }
        cache.get("recent", 1);
        cache.put("new", 1, List.of(), DAY);
        assertThat(cache.get("old", 1)).isEmpty();
        assertThat(cache.get("recent", 2)).isPresent();
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void aFolderBiggerThanTheCacheStaysWithinIt() {
        HeaderCache cache = new HeaderCache(3);
        for (long uid = 1; uid <= 10; uid++) {
            cache.put("big", uid, List.of(), DAY);
        }
        assertThat(cache.size()).isEqualTo(3);
    }
}
