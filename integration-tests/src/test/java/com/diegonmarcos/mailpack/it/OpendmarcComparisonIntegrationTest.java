package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.diegonmarcos.mailpack.dmarc.DmarcChecker;
import com.diegonmarcos.mailpack.dmarc.DmarcOutcome;
import com.diegonmarcos.mailpack.dmarc.DmarcRecord;
import com.diegonmarcos.mailpack.dmarc.DmarcVerdict;
import com.diegonmarcos.mailpack.dmarc.FromDomains;
import com.diegonmarcos.mailpack.dmarc.LocalPolicy;
import com.diegonmarcos.mailpack.dmarc.OrganizationalDomain;
import com.diegonmarcos.mailpack.dmarc.Policy;
import com.diegonmarcos.mailpack.dns.DnsJavaClient;
import com.diegonmarcos.mailpack.dns.ResolverSettings;
import com.diegonmarcos.mailpack.it.peers.Opendmarc;
import com.diegonmarcos.mailpack.it.peers.TestDns;
import com.diegonmarcos.mailpack.spf.SpfResult;
import com.diegonmarcos.mailpack.spf.SpfVerdict;
import com.google.common.net.InetAddresses;

/**
 * Our DMARC policy discovery next to OpenDMARC's ({@code opendmarc-check}) on the DNS data of every
 * DMARC vector, both against a real NSD. opendmarc-check reports the record it finds for a domain
 * (p, sp, pct, alignment modes); OpenDMARC's full verdict needs its milter, so alignment verdicts
 * are compared only through the vectors. Every difference is listed in {@link #KNOWN_DIFFERENCES}
 * with its reason; the test fails when a new one appears or a listed one disappears.
 */
class OpendmarcComparisonIntegrationTest {
    static final Path VECTORS = Path.of("../mailets/src/test/resources/vectors/dmarc");

    /** vector file / From domain → why we differ (also in mailets/README.md, DMARC section). */
    static final Map<String, String> KNOWN_DIFFERENCES = Map.of(
        "two-records.yaml news.example.com",
        "two DMARC records: opendmarc-check uses one of them; RFC 7489 §6.6.3 step 5 says no policy applies (we do that)",
        "non-dmarc-txt-ignored.yaml example.com",
        "a non-DMARC TXT record next to the DMARC record at _dmarc: opendmarc-check reports no record; RFC 7489 §6.6.3 "
            + "step 2 discards the other record and keeps the DMARC one (we do that)",
        "syntax-bad-optional-tags.yaml example.com",
        "invalid optional tags (pct=abc, adkim=x): OpenDMARC refuses the whole record (no policy); we use those tags' "
            + "defaults (RFC 7489 §6.3) and keep p=reject",
        "syntax-bad-p-with-rua.yaml example.com",
        "invalid p= with a valid rua: OpenDMARC refuses the record; RFC 7489 §6.6.3 step 6 says act as p=none (we do that, "
            + "so the domain still gets reports)",
        "syntax-version-not-first.yaml a.example.com",
        "OpenDMARC accepts one of the malformed records at _dmarc.a.example.com (p= before v=, v=dmarc1 in lower case, or no "
            + "';' after v=DMARC1) that RFC 7489 §6.4's grammar excludes; we discard them and use the Organizational Domain's",
        "subdomain-sp.yaml news.example.com",
        "no record at the From domain: opendmarc-check does not fall back to the Organizational Domain (its library needs a "
            + "public suffix list file it is not given); we do, as RFC 7489 §6.6.3 step 3 requires",
        "org-domain-fallback-psl.yaml a.b.example.co.uk",
        "the same: no Organizational Domain fallback in opendmarc-check",
        "local-never-reject.yaml mail.bank.example",
        "the same: no Organizational Domain fallback in opendmarc-check");

    @Test
    void ourPolicyDiscoveryAgreesWithOpendmarcButForTheListedDifferences() throws IOException {
        Map<String, String> differences = new TreeMap<>();
        int compared = 0;
        for (Path file : vectorFiles()) {
            Map<String, Object> vector = load(file);
            List<List<String>> dns = records(vector);
            if (dns.stream().anyMatch(record -> record.get(2).equals("TIMEOUT"))) {
                continue; // a per-name timeout cannot be staged for opendmarc-check
            }
            @SuppressWarnings("unchecked")
            List<String> domains = FromDomains.of((List<String>) vector.getOrDefault("from", List.of()));
            if (domains.isEmpty()) {
                continue;
            }
            Map<String, List<String>> txt = new LinkedHashMap<>();
            Set<String> zones = new LinkedHashSet<>();
            for (List<String> record : dns) {
                if (record.get(1).equals("TXT")) {
                    txt.computeIfAbsent(record.get(0), key -> new ArrayList<>()).add(record.get(2));
                }
                zones.add(zone(record.get(0)));
            }
            domains.forEach(domain -> zones.add(zone(domain)));
            Map<String, String> ours = ours(txt, new ArrayList<>(zones), domains);
            Map<String, String> theirs = theirs(Opendmarc.check(txt, new ArrayList<>(zones), domains));
            for (String domain : domains) {
                compared++;
                if (!ours.get(domain).equals(theirs.get(domain))) {
                    differences.put(file.getFileName() + " " + domain, "ours: " + ours.get(domain) + " / opendmarc: " + theirs.get(domain));
                }
            }
        }
        System.out.println("opendmarc-check comparison: " + (compared - differences.size()) + " of " + compared
            + " From domains agree; differences:\n" + differences.entrySet().stream()
            .map(entry -> "  " + entry.getKey() + ": " + entry.getValue()).collect(Collectors.joining("\n")));
        assertThat(compared).isGreaterThanOrEqualTo(20);
        assertThat(differences.keySet()).as(differences.toString()).isEqualTo(KNOWN_DIFFERENCES.keySet());
    }

    /** Our discovery, against a real NSD on a free port, described like opendmarc-check's output. */
    static Map<String, String> ours(Map<String, List<String>> txt, List<String> zones, List<String> domains) {
        TestDns dns = TestDns.forZones(zones.toArray(String[]::new));
        txt.forEach((name, values) -> dns.set(name, "TXT", values.stream()
            .map(value -> "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"").toArray(String[]::new)));
        dns.start();
        try {
            DmarcChecker checker = new DmarcChecker(DnsJavaClient.create(ResolverSettings.parse(dns.address(), "2s", "0")),
                LocalPolicy.NONE, () -> 0);
            DmarcOutcome outcome = checker.check(domains, InetAddresses.forString("192.0.2.1"),
                new SpfVerdict(SpfResult.NONE, SpfVerdict.MAILFROM, "example.invalid", "x@example.invalid", ""), List.of());
            Map<String, String> described = new LinkedHashMap<>();
            for (DmarcVerdict verdict : outcome.verdicts()) {
                described.put(verdict.fromDomain(), verdict.record().map(record -> describe(verdict.recordDomain().get(), record))
                    .orElse(verdict.recordDomain().isPresent() ? "record refused" : "no record"));
            }
            return described;
        } finally {
            dns.close();
        }
    }

    static String describe(String domain, DmarcRecord record) {
        return "record of " + domain + ": p=" + record.policy().map(Policy::token).orElse("unspecified")
            + " sp=" + record.subdomainPolicy().map(Policy::token).orElse("unspecified") + " pct=" + record.percent()
            + " adkim=" + (record.strictDkim() ? "s" : "r") + " aspf=" + (record.strictSpf() ? "s" : "r");
    }

    static final Pattern RECORD = Pattern.compile("DMARC record for (\\S+):\\s+Sample percentage: (\\d+)\\s+DKIM alignment: (\\w+)"
        + "\\s+SPF alignment: (\\w+)\\s+Domain policy: (\\w+)\\s+Subdomain policy: (\\w+)");

    static Map<String, String> theirs(Map<String, String> outputs) {
        Map<String, String> described = new LinkedHashMap<>();
        outputs.forEach((domain, output) -> {
            Matcher matcher = RECORD.matcher(output);
            if (!matcher.find()) {
                assertThat(output).as("opendmarc-check " + domain).containsAnyOf("lacked a DMARC record", "bad token value",
                    "syntax error", "invalid");
                described.put(domain, output.contains("lacked a DMARC record") ? "no record" : "record refused");
                return;
            }
            described.put(domain, "record of " + matcher.group(1) + ": p=" + matcher.group(5) + " sp=" + matcher.group(6)
                + " pct=" + matcher.group(2) + " adkim=" + matcher.group(3).charAt(0) + " aspf=" + matcher.group(4).charAt(0));
        });
        return described;
    }

    /** The zone a name is served from: the Organizational Domain of its part after any "_" label. */
    static String zone(String name) {
        String[] labels = name.split("\\.");
        int start = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].startsWith("_")) {
                start = i + 1;
            }
        }
        return OrganizationalDomain.of(String.join(".", java.util.Arrays.copyOfRange(labels, start, labels.length)));
    }

    static List<Path> vectorFiles() throws IOException {
        try (Stream<Path> files = Files.list(VECTORS)) {
            return files.filter(path -> path.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
        }
    }

    static Map<String, Object> load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new Yaml().load(in);
        }
    }

    @SuppressWarnings("unchecked")
    static List<List<String>> records(Map<String, Object> vector) {
        return (List<List<String>>) vector.getOrDefault("dns", List.of());
    }
}
