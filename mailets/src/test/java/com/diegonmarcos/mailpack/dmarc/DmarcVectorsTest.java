package com.diegonmarcos.mailpack.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.diegonmarcos.mailpack.spf.SpfChecker;
import com.diegonmarcos.mailpack.spf.SpfVerdict;
import com.google.common.net.InetAddresses;

/** Every DMARC vector: SPF evaluated on the vector's zone, then DMARC; verdicts as the vector expects. */
class DmarcVectorsTest {
    static Stream<DmarcVector> vectors() {
        return DmarcVector.all();
    }

    @Test
    void thereAreVectorsForEveryCaseTheIssueNames() {
        assertThat(vectors().map(DmarcVector::file)).contains("aligned-spf-pass.yaml", "aligned-dkim-pass-spf-fail.yaml",
            "subdomain-sp.yaml", "strict-dkim-alignment.yaml", "relaxed-dkim-alignment.yaml", "pct-0.yaml", "no-record.yaml",
            "two-records.yaml", "syntax-bad-p-without-rua.yaml", "org-domain-fallback-psl.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void vectorGivesTheExpectedVerdicts(DmarcVector vector) {
        SpfVerdict spf = new SpfChecker(vector.dns()).check(InetAddresses.forString(vector.ip()), vector.mailFrom(), vector.helo());
        DmarcOutcome outcome = new DmarcChecker(vector.dns(), vector.local(), vector::sample)
            .check(FromDomains.of(vector.from()), InetAddresses.forString(vector.ip()), spf, vector.dkim());

        Map<String, Object> expect = vector.expect();
        assertThat(spf.result().token()).as(vector.source() + ": spf (" + spf.reason() + ")").isEqualTo(expect.get("spf"));
        assertThat(outcome.disposition().token()).as(vector.source() + ": disposition " + outcome).isEqualTo(expect.get("disposition"));
        assertThat(outcome.undecided()).as(vector.source() + ": undecided").isEqualTo(expect.getOrDefault("undecided", false));
        assertThat(actual(outcome)).as(vector.source()).isEqualTo(expected(expect));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, String>> expected(Map<String, Object> expect) {
        List<Map<String, String>> all = new ArrayList<>();
        for (Map<String, Object> verdict : (List<Map<String, Object>>) expect.get("dmarc")) {
            Map<String, String> map = new LinkedHashMap<>();
            for (String key : List.of("domain", "result", "recordDomain", "policy", "disposition", "override")) {
                if (verdict.containsKey(key)) {
                    map.put(key, String.valueOf(verdict.get(key)));
                }
            }
            all.add(map);
        }
        return all;
    }

    static List<Map<String, String>> actual(DmarcOutcome outcome) {
        List<Map<String, String>> all = new ArrayList<>();
        for (DmarcVerdict verdict : outcome.verdicts()) {
            Map<String, String> map = new LinkedHashMap<>();
            map.put("domain", verdict.fromDomain());
            map.put("result", verdict.result().token());
            verdict.record().flatMap(record -> verdict.recordDomain()).ifPresent(domain -> map.put("recordDomain", domain));
            map.put("policy", verdict.requestedPolicy().token());
            map.put("disposition", verdict.disposition().token());
            verdict.override().ifPresent(override -> map.put("override", override));
            all.add(map);
        }
        return all;
    }
}
