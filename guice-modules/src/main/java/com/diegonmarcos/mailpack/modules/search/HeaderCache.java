package com.diegonmarcos.mailpack.modules.search;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.diegonmarcos.mailpack.modules.search.MessageText.HeaderField;

/**
 * The decoded header fields searches ask for most ({@link #FIELDS}) and the sent day of each message,
 * kept after a search read them, so that the next {@code FROM}, {@code SUBJECT} or {@code SENTON} on
 * the same folder reads only the messages it has not seen (as Dovecot's index cache does). A stored
 * message never changes and a new one has a new UID, so an entry never goes stale; entries of expunged
 * messages are never asked for again (searches only look up the UIDs the index still has).
 *
 * <p>Bounded: at most {@code capacity} messages in all; beyond it the folder searched longest ago is
 * dropped whole. An entry is the fields' decoded text and a day, some 250 bytes for usual mail: the
 * default {@value #DEFAULT_CAPACITY} messages take about 12 MB of heap.
 */
public final class HeaderCache {
    public static final int DEFAULT_CAPACITY = 50_000;
    /** the header fields kept (names compared without case) */
    public static final List<String> FIELDS = List.of("From", "To", "Cc", "Bcc", "Subject", "Date");
    private static final char END = '\u0000';

    private final int capacity;
    /** by folder, the folder used last at the end; guarded by itself */
    private final LinkedHashMap<String, Map<Long, Entry>> folders = new LinkedHashMap<>(16, 0.75f, true);
    private int size; // guarded by folders

    /** One message: the kept fields, packed as (1 + field index, value, END)…, and its sent day. */
    public static final class Entry {
        private final String packed;
        private final long sentEpochDay;

        private Entry(String packed, long sentEpochDay) {
            this.packed = packed;
            this.sentEpochDay = sentEpochDay;
        }

        /** The kept fields, in their order in the message. */
        public List<HeaderField> fields() {
            List<HeaderField> fields = new ArrayList<>();
            int start = 0;
            while (start < packed.length()) {
                int end = packed.indexOf(END, start);
                fields.add(new HeaderField(FIELDS.get(packed.charAt(start) - 1), packed.substring(start + 1, end)));
                start = end + 1;
            }
            return fields;
        }

        public LocalDate sentDay() {
            return LocalDate.ofEpochDay(sentEpochDay);
        }
    }

    public HeaderCache(int capacity) {
        this.capacity = capacity;
    }

    /** Whether the cache keeps the field {@code name}. */
    public static boolean keeps(String name) {
        return index(name) >= 0;
    }

    private static int index(String name) {
        for (int i = 0; i < FIELDS.size(); i++) {
            if (FIELDS.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    public Optional<Entry> get(String folder, long uid) {
        Map<Long, Entry> entries;
        synchronized (folders) {
            entries = folders.get(folder);
        }
        return entries == null ? Optional.empty() : Optional.ofNullable(entries.get(uid));
    }

    /** Keeps the fields of {@code header} that {@link #keeps} names, and the sent day. */
    public void put(String folder, long uid, List<HeaderField> header, LocalDate sentDay) {
        StringBuilder packed = new StringBuilder();
        for (HeaderField field : header) {
            int index = index(field.name());
            if (index >= 0) {
                packed.append((char) (index + 1)).append(field.value().replace(END, ' ')).append(END);
            }
        }
        Entry entry = new Entry(packed.toString(), sentDay.toEpochDay());
        synchronized (folders) {
            Map<Long, Entry> entries = folders.computeIfAbsent(folder, key -> new ConcurrentHashMap<>());
            if (entries.put(uid, entry) == null) {
                size++;
            }
            evict(entries);
        }
    }

    /** Drops the folders used longest ago (never the one being filled) until the total fits. */
    private void evict(Map<Long, Entry> filling) {
        Iterator<Map.Entry<String, Map<Long, Entry>>> eldest = folders.entrySet().iterator();
        while (size > capacity && eldest.hasNext()) {
            Map<Long, Entry> entries = eldest.next().getValue();
            if (entries == filling) {
                continue;
            }
            size -= entries.size();
            eldest.remove();
        }
        if (size > capacity) { // one folder bigger than the cache: it keeps what it has, no more
            filling.remove(filling.keySet().iterator().next());
            size--;
        }
    }

    /** Messages kept, in all folders. */
    public int size() {
        synchronized (folders) {
            return size;
        }
    }
}
