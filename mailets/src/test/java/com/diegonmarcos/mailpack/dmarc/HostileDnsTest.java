package com.diegonmarcos.mailpack.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.dns.ZoneDns;
import com.diegonmarcos.mailpack.spf.SpfChecker;
import com.diegonmarcos.mailpack.spf.SpfResult;
import com.diegonmarcos.mailpack.spf.SpfVerdict;
import com.google.common.net.InetAddresses;

/** Records crafted to hurt: no crash, no header injection, bounded work. */
class HostileDnsTest {
    static final InetAddress IP = InetAddresses.forString("203.0.113.9");

    static DmarcOutcome dmarc(ZoneDns dns, String from) {
        SpfVerdict spf = new SpfChecker(dns).check(IP, "", "unknown.example.org");
        return new DmarcChecker(dns, LocalPolicy.NONE, () -> 0).check(List.of(from), IP, spf, List.of());
    }

    @Test
    void aHugeDmarcRecordIsNotApplied() {
        ZoneDns dns = new ZoneDns().txt("_dmarc.example.com", "v=DMARC1; p=reject; x=" + "A".repeat(65_000));

        DmarcOutcome outcome = dmarc(dns, "example.com");

        assertThat(outcome.verdicts()).singleElement().satisfies(verdict -> {
            assertThat(verdict.result()).isEqualTo(DmarcResult.NONE);
            assertThat(verdict.reason()).isEqualTo("_dmarc.example.com: DMARC record of 65022 characters (at most 8192): none applies");
        });
    }

    @Test
    void crLfInRuaCannotInjectARecipientOrAHeader() {
        DmarcRecord record = DmarcRecord.parse("v=DMARC1; p=none; rua=mailto:dmarc@example.com\r\nBcc: victim@evil.example,"
            + "mailto:a@example.com%0d%0aBcc:x@evil.example");

        assertThat(record.rua()).isEmpty();
        assertThat(record.problems()).allSatisfy(problem -> assertThat(problem).doesNotContain("\r").doesNotContain("\n"));
    }

    @Test
    void mailtoWithHeadersOrSeveralAddressesIsRefused() {
        assertThat(DmarcRecord.reportUri("mailto:dmarc@example.com?subject=hi&bcc=victim@evil.example")).isEmpty();
        assertThat(DmarcRecord.reportUri("mailto:a@example.com,b@evil.example")).isEmpty();
        assertThat(DmarcRecord.reportUri("mailto:<a@example.com>")).isEmpty();
        assertThat(DmarcRecord.reportUri("http://example.com/report")).isEmpty();
        assertThat(DmarcRecord.reportUri("mailto:a b@example.com")).isEmpty();
        assertThat(DmarcRecord.reportUri("mailto:dmarc@example.com!10m"))
            .contains(new DmarcRecord.ReportUri("dmarc@example.com", 10L << 20));
        assertThat(DmarcRecord.reportUri("mailto:dmarc%40x@example.com")).isEmpty();
    }

    @Test
    void fiftyRuaAddressesAreCutToTheFirstFive() {
        String rua = IntStream.range(0, 50).mapToObj(i -> "mailto:r" + i + "@example.com").collect(Collectors.joining(","));

        DmarcRecord record = DmarcRecord.parse("v=DMARC1; p=none; rua=" + rua);

        assertThat(record.rua()).extracting(DmarcRecord.ReportUri::address)
            .containsExactly("r0@example.com", "r1@example.com", "r2@example.com", "r3@example.com", "r4@example.com");
        assertThat(record.problems()).contains("rua URIs beyond the first 5 ignored");
    }

    @Test
    void anSpfRecordOfThousandsOfLookupTermsStopsAtTheLimit() {
        String terms = IntStream.range(0, 5000).mapToObj(i -> "a:h" + i + ".example.com").collect(Collectors.joining(" "));
        ZoneDns dns = new ZoneDns().txt("example.com", "v=spf1 " + terms + " -all");
        IntStream.range(0, 5000).forEach(i -> dns.add("h" + i + ".example.com", "A", "192.0.2.1"));

        SpfVerdict verdict = new SpfChecker(dns).check(IP, "alice@example.com", "helo.example.org");

        assertThat(verdict.result()).isEqualTo(SpfResult.PERMERROR);
        assertThat(verdict.reason()).isEqualTo("more than 10 DNS-querying terms");
        assertThat(dns.queries()).isLessThanOrEqualTo(11);
    }

    @Test
    void anIncludeLoopIsAPermerrorAfterTenLookups() {
        ZoneDns dns = new ZoneDns().txt("example.com", "v=spf1 include:loop.example.com -all")
            .txt("loop.example.com", "v=spf1 include:example.com -all");

        SpfVerdict verdict = new SpfChecker(dns).check(IP, "alice@example.com", "helo.example.org");

        assertThat(verdict.result()).isEqualTo(SpfResult.PERMERROR);
        assertThat(dns.queries()).isLessThanOrEqualTo(11);
    }

    @Test
    void voidLookupsBeyondTwoArePermerror() {
        ZoneDns dns = new ZoneDns().txt("example.com", "v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com -all");

        SpfVerdict verdict = new SpfChecker(dns).check(IP, "alice@example.com", "helo.example.org");

        assertThat(verdict.result()).isEqualTo(SpfResult.PERMERROR);
        assertThat(verdict.reason()).isEqualTo("more than 2 void DNS lookups");
    }

    @Test
    void controlCharactersInAnSpfRecordArePermerror() {
        ZoneDns dns = new ZoneDns().txt("example.com", "v=spf1 ip4:192.0.2.1\r\n-all");

        assertThat(new SpfChecker(dns).check(IP, "alice@example.com", "x.example.org").result()).isEqualTo(SpfResult.PERMERROR);
    }

    @Test
    void nothingFromDnsOrTheMessageEndsUpAsAHeaderLine() {
        ZoneDns dns = new ZoneDns().txt("_dmarc.example.com", "v=DMARC1; p=quarantine\r\nX-Injected: yes");
        DmarcOutcome outcome = dmarc(dns, "example.com");
        SpfVerdict spf = new SpfVerdict(SpfResult.NONE, SpfVerdict.MAILFROM, "example.com", "\"a\r\nX-Evil: 1\"@example.com", "");

        String value = AuthenticationResultsField.value("mail.diegonmarcos.com", spf, List.of(), outcome);

        // the only line breaks are foldings (CRLF + tab)
        assertThat(value.replace("\r\n\t", "")).doesNotContain("\r").doesNotContain("\n");
        assertThat(value).contains("smtp.mailfrom=\"\\\"a??X-Evil: 1\\\"@example.com\"");
    }

    @Test
    void aFromFieldWithAThousandAddressesIsCut() {
        String from = IntStream.range(0, 1000).mapToObj(i -> "u@d" + i + ".example.com").collect(Collectors.joining(", "));

        assertThat(FromDomains.of(List.of(from))).hasSize(10);
    }
}
