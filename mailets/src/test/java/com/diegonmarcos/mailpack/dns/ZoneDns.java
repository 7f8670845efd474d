package com.diegonmarcos.mailpack.dns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory DNS for unit tests of SPF and DMARC, with the statuses of {@link DnsJavaClient}:
 * records by name and type; a name not listed is NXDOMAIN; a listed name without the type is
 * NODATA; {@link #timeout} makes a name (or one type of it) a TEMP_ERROR, as a dead server would;
 * CNAMEs are followed one level. It counts the questions asked (bounded-work assertions).
 */
public final class ZoneDns implements DnsClient {
    public static final String TIMEOUT = "TIMEOUT";

    private record Entry(String type, String value) {
    }

    private final Map<String, List<Entry>> zone = new LinkedHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();

    /** Adds a record; {@code value} {@value #TIMEOUT} makes questions of this type time out; type {@value #TIMEOUT} any type not listed before. */
    public ZoneDns add(String name, String type, String value) {
        zone.computeIfAbsent(normalize(name), key -> new ArrayList<>()).add(new Entry(type.toUpperCase(Locale.ROOT), value));
        return this;
    }

    /** The name exists (NODATA for every type not added). */
    public ZoneDns exists(String name) {
        zone.computeIfAbsent(normalize(name), key -> new ArrayList<>());
        return this;
    }

    public ZoneDns txt(String name, String value) {
        return add(name, "TXT", value);
    }

    /** Every question about {@code name} times out. */
    public ZoneDns timeout(String name) {
        return add(name, TIMEOUT, TIMEOUT);
    }

    public int queries() {
        return queries.get();
    }

    @Override
    public TxtResult txt(String name) {
        return answer(name, "TXT", 0);
    }

    @Override
    public TxtResult lookup(String name, RecordType type) {
        return answer(name, type.name(), 0);
    }

    private TxtResult answer(String name, String type, int level) {
        queries.incrementAndGet();
        String key = normalize(name);
        for (String label : key.split("\\.")) {
            if (label.length() > 63) {
                return TxtResult.invalidName("'" + name + "' has a label over 63 octets");
            }
        }
        List<Entry> entries = zone.get(key);
        if (entries == null) {
            return TxtResult.nxdomain(key);
        }
        List<String> found = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.type().equals(TIMEOUT)) {
                if (found.isEmpty()) {
                    return TxtResult.tempError(key + " " + type + ": timed out");
                }
                break;
            }
            if (entry.type().equals("CNAME") && level == 0 && !type.equals("CNAME")) {
                return answer(entry.value(), type, 1);
            }
            if (entry.type().equals(type)) {
                if (entry.value().equals(TIMEOUT)) {
                    return TxtResult.tempError(key + " " + type + ": timed out");
                }
                found.add(entry.value());
            }
        }
        return found.isEmpty() ? TxtResult.noData(key, type) : TxtResult.found(found);
    }

    private static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
