package com.diegonmarcos.mailpack.fuzz;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.dns.TxtResult;

/**
 * An in-memory DNS whose answers come from the fuzzer's input: lines {@code <name> <TYPE> <value>}
 * (TYPE one of TXT A AAAA MX PTR; a value {@code TEMPFAIL} answers with a failure, {@code NODATA}
 * with an empty answer; a name with no entry is NXDOMAIN). It counts the questions asked, so a
 * target can bound them (a hostile record must not make one message cost unbounded DNS traffic).
 */
public final class ZoneDns implements DnsClient {
    private final Map<String, List<String>> answers = new HashMap<>();
    private int questions;

    /** Reads zone lines; other lines are ignored. */
    public static ZoneDns parse(String text) {
        ZoneDns dns = new ZoneDns();
        for (String line : text.split("\n")) {
            String[] parts = line.split(" ", 3);
            if (parts.length == 3 && isType(parts[1])) {
                dns.put(parts[0], parts[1], parts[2]);
            }
        }
        return dns;
    }

    private static boolean isType(String type) {
        return type.equals("TXT") || type.equals("A") || type.equals("AAAA") || type.equals("MX") || type.equals("PTR");
    }

    public ZoneDns put(String name, String type, String value) {
        answers.computeIfAbsent(key(name, type), k -> new ArrayList<>()).add(value);
        return this;
    }

    public int questions() {
        return questions;
    }

    @Override
    public TxtResult txt(String name) {
        return answer(name, "TXT");
    }

    @Override
    public TxtResult lookup(String name, RecordType type) {
        return answer(name, type.name());
    }

    private TxtResult answer(String name, String type) {
        questions++;
        List<String> values = answers.get(key(name, type));
        if (values == null) {
            boolean exists = answers.keySet().stream().anyMatch(key -> key.startsWith(normalize(name) + " "));
            return exists ? TxtResult.noData(name, type) : TxtResult.nxdomain(name);
        }
        if (values.contains("TEMPFAIL")) {
            return TxtResult.tempError(name + " " + type + ": timed out");
        }
        if (values.contains("NODATA")) {
            return TxtResult.noData(name, type);
        }
        return TxtResult.found(values);
    }

    private static String key(String name, String type) {
        return normalize(name) + " " + type;
    }

    private static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
