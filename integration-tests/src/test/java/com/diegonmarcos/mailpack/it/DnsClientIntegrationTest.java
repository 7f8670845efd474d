package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.dns.DnsJavaClient;
import com.diegonmarcos.mailpack.dns.ResolverSettings;
import com.diegonmarcos.mailpack.dns.TxtResult;
import com.diegonmarcos.mailpack.it.peers.TestDns;

/** The DNS client mail authentication uses, against a real NSD: answers, non-answers and failures kept apart. */
class DnsClientIntegrationTest {
    static final String LONG = "v=DKIM1; k=rsa; p=" + "A".repeat(600);

    @RegisterExtension
    @Order(1)
    static TestDns dns = TestDns.forZones("zone.example")
        .txt("long.zone.example", LONG)
        .set("two.zone.example", "TXT", "\"first\"", "\"second\"")
        .set("alias.zone.example", "CNAME", "target.zone.example.")
        .txt("target.zone.example", "v=DKIM1; p=target")
        .set("host.zone.example", "A", "192.0.2.1");

    static DnsJavaClient client() {
        return DnsJavaClient.create(ResolverSettings.parse(dns.address(), "1s", "0"));
    }

    @Test
    void stringsOfALongRecordAreJoinedWithoutSeparator() {
        assertThat(client().txt("long.zone.example")).isEqualTo(TxtResult.found(java.util.List.of(LONG)));
    }

    @Test
    void everyRecordOfANameIsReturned() {
        assertThat(client().txt("two.zone.example").records()).containsExactlyInAnyOrder("first", "second");
    }

    @Test
    void cnameChainsAreFollowed() {
        assertThat(client().txt("alias.zone.example").records()).containsExactly("v=DKIM1; p=target");
    }

    @Test
    void noSuchNameAndNoSuchRecordAreAnswersNotFailures() {
        assertThat(client().txt("missing.zone.example").status()).isEqualTo(TxtResult.Status.NXDOMAIN);
        assertThat(client().txt("host.zone.example").status()).isEqualTo(TxtResult.Status.NO_DATA);
    }

    @Test
    void aRefusingServerIsATemporaryError() {
        TxtResult outside = client().txt("name.outside.example");

        assertThat(outside.status()).isEqualTo(TxtResult.Status.TEMP_ERROR);
        assertThat(outside.detail()).contains("REFUSED");
    }

    @Test
    void invalidNamesAreNotAsked() {
        assertThat(client().txt("a".repeat(64) + ".zone.example").status()).isEqualTo(TxtResult.Status.INVALID_NAME);
    }

    @Test
    void aServerThatIsDownIsATemporaryErrorQuickly() {
        dns.stop();
        try {
            Instant start = Instant.now();
            TxtResult result = client().txt("long.zone.example");

            assertThat(result.status()).isEqualTo(TxtResult.Status.TEMP_ERROR);
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
        } finally {
            dns.start();
        }
        assertThat(client().txt("long.zone.example").status()).isEqualTo(TxtResult.Status.FOUND);
    }
}
