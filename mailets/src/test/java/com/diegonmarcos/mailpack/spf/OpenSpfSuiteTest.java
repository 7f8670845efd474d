package com.diegonmarcos.mailpack.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import com.diegonmarcos.mailpack.dns.ZoneDns;
import com.google.common.net.InetAddresses;

/**
 * The openspf.org RFC 7208 test suite (release 2014.04, 203 cases), as Debian's python3-spf
 * package installs it, run against {@link SpfChecker}. Each case's zone data is served by an
 * in-memory DNS with the suite driver's conventions (SPF entries also served as TXT unless the name
 * has TXT entries; {@code TIMEOUT}; names under {@code error.} fail). Every case must give one of
 * its expected results, except those listed in {@link #DEVIATIONS}, each with its reason.
 */
class OpenSpfSuiteTest {
    static final Path SUITE = Path.of("/usr/share/doc/python3-spf/rfc7208-tests.yml.gz");

    /** Cases where we deliberately differ, with the reason (the test fails if one of them starts to agree). */
    static final Map<String, String> DEVIATIONS = Map.of();

    record Outcome(String name, String spec, List<String> expected, String actual, String reason) {
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyCaseOfTheSuiteGivesAnExpectedResult() throws IOException {
        assertThat(SUITE).as("the RFC 7208 test suite: apt-get install python3-spf").exists();
        List<Outcome> outcomes = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(SUITE))) {
            LoaderOptions options = new LoaderOptions();
            for (Object document : new Yaml(options).loadAll(in)) {
                Map<String, Object> scenario = (Map<String, Object>) document;
                ZoneDns dns = zone((Map<String, List<Object>>) scenario.getOrDefault("zonedata", Map.of()));
                Map<String, Map<String, Object>> tests = (Map<String, Map<String, Object>>) scenario.get("tests");
                for (Map.Entry<String, Map<String, Object>> test : tests.entrySet()) {
                    Map<String, Object> data = test.getValue();
                    Object result = data.get("result");
                    List<String> expected = result instanceof List ? (List<String>) result : List.of((String) result);
                    SpfVerdict verdict = new SpfChecker(dns).check(InetAddresses.forString(String.valueOf(data.get("host"))),
                        String.valueOf(data.getOrDefault("mailfrom", "")), String.valueOf(data.getOrDefault("helo", "")));
                    outcomes.add(new Outcome(test.getKey(), String.valueOf(data.get("spec")), expected, verdict.result().token(),
                        verdict.reason()));
                }
            }
        }
        Map<String, String> disagreements = new TreeMap<>();
        for (Outcome outcome : outcomes) {
            if (!outcome.expected().contains(outcome.actual())) {
                disagreements.put(outcome.name(), "§" + outcome.spec() + " expected " + outcome.expected() + ", got "
                    + outcome.actual() + " (" + outcome.reason() + ")");
            }
        }
        System.out.println("openspf RFC 7208 suite: " + (outcomes.size() - disagreements.size()) + " of " + outcomes.size()
            + " cases agree");
        assertThat(outcomes).hasSize(203);
        assertThat(disagreements.keySet()).as(disagreements.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining("\n"))).isEqualTo(DEVIATIONS.keySet());
    }

    @SuppressWarnings("unchecked")
    static ZoneDns zone(Map<String, List<Object>> zonedata) {
        ZoneDns dns = new ZoneDns();
        for (Map.Entry<String, List<Object>> name : zonedata.entrySet()) {
            dns.exists(name.getKey());
            boolean hasTxt = name.getValue().stream().anyMatch(entry -> entry instanceof Map && ((Map<String, Object>) entry).containsKey("TXT"));
            List<String[]> generated = new ArrayList<>();
            for (Object entry : name.getValue()) {
                if ("TIMEOUT".equals(entry)) {
                    dns.timeout(name.getKey());
                    continue;
                }
                for (Map.Entry<String, Object> record : ((Map<String, Object>) entry).entrySet()) {
                    String type = record.getKey();
                    String value = value(type, record.getValue());
                    if (type.equals("SPF")) {
                        if (!hasTxt && !value.equals("NONE")) {
                            generated.add(new String[] {"TXT", value});
                        }
                        continue;
                    }
                    if (!value.equals("NONE")) {
                        dns.add(name.getKey(), type, value);
                    }
                }
            }
            generated.forEach(record -> dns.add(name.getKey(), record[0], record[1]));
        }
        return dns;
    }

    @SuppressWarnings("unchecked")
    static String value(String type, Object value) {
        if (value instanceof List && type.equals("MX")) {
            List<Object> mx = (List<Object>) value;
            return mx.get(0) + " " + mx.get(1);
        }
        if (value instanceof List) {
            return ((List<Object>) value).stream().map(String::valueOf).collect(Collectors.joining());
        }
        return String.valueOf(value);
    }

}
