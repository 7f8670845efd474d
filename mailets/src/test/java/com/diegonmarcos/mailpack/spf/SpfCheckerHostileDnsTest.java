package com.diegonmarcos.mailpack.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.dns.ZoneDns;
import com.google.common.net.InetAddresses;

/**
 * DNS answers an attacker controls, reduced from the two fuzzing findings kept in
 * {@code fuzz/regressions/} (docs/fuzzing.md): the evaluation gives a verdict, never an exception,
 * and asks a bounded number of questions however the record is written.
 */
class SpfCheckerHostileDnsTest {
    private static final InetAddress CLIENT_V6 = InetAddresses.forString("2001:db8:ff0:100::2");
    private static final InetAddress CLIENT_V4 = InetAddresses.forString("192.0.2.10");

    @Test
    void anAddressRecordWithAScopeNeitherMatchesNorThrows() {
        ZoneDns dns = new ZoneDns()
            .txt("example.org", "v=spf1 mx a:host.example.org ptr -all")
            .add("example.org", "MX", "10 smtp.example.org")
            .add("smtp.example.org", "AAAA", "2001:db8:ff0:100::2%eth0")
            .add("host.example.org", "AAAA", "fe80::1%25")
            .add("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.f.f.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR", "smtp.example.org");

        SpfVerdict verdict = new SpfChecker(dns).check(CLIENT_V6, "test@example.org", "smtp.example.org");

        assertThat(verdict.result()).isEqualTo(SpfResult.FAIL);
        assertThat(verdict.reason()).contains("-all");
    }

    @Test
    void aGarbledAddressRecordIsNoMatch() {
        ZoneDns dns = new ZoneDns()
            .txt("example.org", "v=spf1 a ~all")
            .add("example.org", "A", "1%92.0.2.10")
            .add("example.org", "A", "192.0.2.10.5");

        assertThat(new SpfChecker(dns).check(CLIENT_V4, "a@example.org", "").result()).isEqualTo(SpfResult.SOFTFAIL);
    }

    @Test
    void manyValidatedNameMacrosLookUpTheClientsNamesOnce() {
        // every %{p} needs the client's PTR names and each name's addresses: 1 + 10 questions
        StringBuilder record = new StringBuilder("v=spf1");
        for (int i = 0; i < 9; i++) {
            record.append(" a:%{p}.n").append(i).append(".example.org");
        }
        ZoneDns dns = new ZoneDns().txt("example.org", record + " -all");
        for (int i = 0; i < 9; i++) {
            dns.add("name0.example.net.n" + i + ".example.org", "A", "192.0.2.99"); // exists, not the client
        }
        for (int i = 0; i < 10; i++) {
            dns.add("10.2.0.192.in-addr.arpa", "PTR", "name" + i + ".example.net");
            dns.add("name" + i + ".example.net", "A", "192.0.2.10");
        }

        SpfVerdict verdict = new SpfChecker(dns).check(CLIENT_V4, "a@example.org", "");

        assertThat(verdict.result()).isEqualTo(SpfResult.FAIL);
        // 1 TXT + 1 PTR + 10 A (validated names) + 9 a: lookups; before the fix 1 + 9 x 12
        assertThat(dns.queries()).isEqualTo(21);
    }

    @Test
    void thePtrMechanismAndTheMacroShareTheLookup() {
        ZoneDns dns = new ZoneDns()
            .txt("example.org", "v=spf1 exists:%{p}.x.example.org ptr:example.net -all")
            .add("10.2.0.192.in-addr.arpa", "PTR", "mail.example.net")
            .add("mail.example.net", "A", "192.0.2.10");

        SpfVerdict verdict = new SpfChecker(dns).check(CLIENT_V4, "a@example.org", "");

        assertThat(verdict.result()).isEqualTo(SpfResult.PASS);
        assertThat(verdict.reason()).contains("ptr:example.net");
        assertThat(dns.queries()).isEqualTo(4); // TXT, PTR, A of mail.example.net, A of mail.example.net.x.example.org
    }
}
