package com.diegonmarcos.mailpack.modules.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.diegonmarcos.mailpack.dmarc.DmarcOutcome;
import com.diegonmarcos.mailpack.dmarc.DmarcResult;
import com.diegonmarcos.mailpack.dmarc.DmarcVerdict;
import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.dns.TxtResult;
import com.diegonmarcos.mailpack.spf.SpfChecker;
import com.diegonmarcos.mailpack.spf.SpfVerdict;
import com.google.common.net.InetAddresses;

/** The reporter over several days: catch-up after downtime, never twice, old records dropped. Time is a fixed Clock. */
class DmarcReporterTest {
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final InetAddress IP = InetAddresses.forString("192.0.2.10");
    /** _dmarc.example.com has p=reject with a rua; nothing else exists. */
    static final DnsClient DNS = name -> name.equals("_dmarc.example.com")
        ? TxtResult.found(List.of("v=DMARC1; p=reject; rua=mailto:dmarc@example.com"))
        : TxtResult.nxdomain(name);

    @TempDir
    Path directory;
    DmarcReportStore store;
    FakeMailContext context;
    DmarcReporter reporter;

    @BeforeEach
    void setUp() throws Exception {
        store = new DmarcReportStore(directory);
        context = FakeMailContext.builder().build();
        reporter = new DmarcReporter(store, DNS, context, Clock.fixed(NOW, ZoneOffset.UTC),
            new ReportSettings(true, "postmaster@diegonmarcos.com", "diegonmarcos.com", Duration.ofHours(1), 7, "mail.diegonmarcos.com"));
    }

    void evaluatedOn(String instant) {
        SpfVerdict spf = new SpfChecker(DNS).check(IP, "a@example.com", "mx.example.com");
        DmarcOutcome outcome = new com.diegonmarcos.mailpack.dmarc.DmarcChecker(DNS, com.diegonmarcos.mailpack.dmarc.LocalPolicy.NONE, () -> 0)
            .check(List.of("example.com"), IP, spf, List.of());
        assertThat(outcome.verdicts()).singleElement().extracting(DmarcVerdict::result).isEqualTo(DmarcResult.FAIL);
        store.evaluated(IP, spf, List.of(), outcome, Instant.parse(instant));
    }

    @Test
    void everyCompleteDayMissedIsReportedOnceAndTodayWaits() throws Exception {
        evaluatedOn("2026-11-20T08:00:00Z");
        evaluatedOn("2026-11-21T23:59:59Z");
        evaluatedOn("2026-11-22T00:00:00Z");
        evaluatedOn("2026-11-23T09:00:00Z");

        List<DmarcReporter.Sent> sent = reporter.run(reporter.today());

        assertThat(sent).extracting(DmarcReporter.Sent::reportId).containsExactly(
            "2026-11-20.example.com@mail.diegonmarcos.com", "2026-11-21.example.com@mail.diegonmarcos.com",
            "2026-11-22.example.com@mail.diegonmarcos.com");
        assertThat(context.getSentMails()).hasSize(3).allSatisfy(mail -> {
            assertThat(mail.getSender().asString()).isEqualTo("postmaster@diegonmarcos.com");
            assertThat(mail.getRecipients()).extracting(Object::toString).containsExactly("dmarc@example.com");
            assertThat(mail.getMsg().getSubject()).startsWith("Report Domain: example.com Submitter: diegonmarcos.com Report-ID: <2026-11-2");
        });
        assertThat(reporter.run(reporter.today())).isEmpty();
        assertThat(context.getSentMails()).hasSize(3);
    }

    @Test
    void aReportIsNeverSentTwiceEvenByANewReporterOnTheSameStore() throws Exception {
        evaluatedOn("2026-11-22T12:00:00Z");
        assertThat(reporter.run(reporter.today())).hasSize(1);

        DmarcReporter afterRestart = new DmarcReporter(new DmarcReportStore(directory), DNS, context, Clock.fixed(NOW, ZoneOffset.UTC),
            new ReportSettings(true, "postmaster@diegonmarcos.com", "diegonmarcos.com", Duration.ofHours(1), 7, "mail.diegonmarcos.com"));

        assertThat(afterRestart.run(afterRestart.today())).isEmpty();
        assertThat(context.getSentMails()).hasSize(1);
    }

    @Test
    void daysBeyondTheCatchUpWindowAreDroppedUnsent() throws Exception {
        evaluatedOn("2026-11-10T12:00:00Z");

        assertThat(reporter.run(reporter.today())).isEmpty();
        assertThat(store.days()).isEmpty();
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void anUnreadableLineIsSkipped() throws Exception {
        evaluatedOn("2026-11-22T12:00:00Z");
        Files.writeString(directory.resolve("records/2026-11-22.jsonl"), "{not json\n", java.nio.file.StandardOpenOption.APPEND);

        assertThat(store.records(LocalDate.parse("2026-11-22"))).hasSize(1);
        assertThat(reporter.run(reporter.today())).hasSize(1);
    }

}
