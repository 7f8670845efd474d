package com.diegonmarcos.mailpack.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

import com.diegonmarcos.mailpack.dkim.AuthResult;
import com.diegonmarcos.mailpack.dkim.DkimResult;
import com.diegonmarcos.mailpack.dns.ZoneDns;
import com.diegonmarcos.mailpack.spf.SpfChecker;
import com.diegonmarcos.mailpack.spf.SpfVerdict;
import com.google.common.net.InetAddresses;

class AggregateReportXmlTest {
    static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
    static final AggregateReportXml.Reporter REPORTER = new AggregateReportXml.Reporter("diegonmarcos.com", "postmaster@diegonmarcos.com");

    /** Validates against the RFC 7489 Appendix C schema; returns the parsed document. */
    static Document validated(String xml) throws Exception {
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
            .newSchema(AggregateReportXmlTest.class.getResource("/dmarc/rfc7489-appendix-c.xsd"))
            .newValidator().validate(new StreamSource(new StringReader(xml)));
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    static String text(Document document, String xpath) throws Exception {
        return XPathFactory.newInstance().newXPath().evaluate(xpath, document);
    }

    static List<AggregateRecord> evaluate(ZoneDns dns, String ip, String mailFrom, String from, List<DkimResult> dkim) {
        InetAddress address = InetAddresses.forString(ip);
        SpfVerdict spf = new SpfChecker(dns).check(address, mailFrom, "mx.example.net");
        DmarcOutcome outcome = new DmarcChecker(dns, LocalPolicy.NONE, () -> 0).check(List.of(from), address, spf, dkim);
        return AggregateRecord.of(address, spf, dkim, outcome, DAY.plusSeconds(3600));
    }

    @Test
    void identicalMessagesAreOneRowWithACountAndTheReportValidates() throws Exception {
        ZoneDns dns = new ZoneDns().txt("example.com", "v=spf1 ip4:192.0.2.10 -all")
            .txt("_dmarc.example.com", "v=DMARC1; p=quarantine; pct=100; rua=mailto:dmarc@example.com");
        DkimResult signature = new DkimResult(AuthResult.PASS, Optional.of("example.com"), Optional.of("s1"), Optional.of("rsa-sha256"),
            Optional.of("@example.com"), Optional.empty(), "", false, OptionalLong.empty());
        List<AggregateRecord> records = new ArrayList<>();
        records.addAll(evaluate(dns, "192.0.2.10", "a@example.com", "example.com", List.of(signature)));
        records.addAll(evaluate(dns, "192.0.2.10", "a@example.com", "example.com", List.of(signature)));
        records.addAll(evaluate(dns, "2001:db8::7", "a@example.com", "example.com", List.of()));

        Document report = validated(AggregateReportXml.write(REPORTER, "2026-11-20.example.com@mail.diegonmarcos.com", DAY,
            DAY.plusSeconds(86400), records));

        assertThat(text(report, "count(/*[local-name()='feedback']/*[local-name()='record'])")).isEqualTo("2");
        assertThat(text(report, "//*[local-name()='record'][1]//*[local-name()='count']")).isEqualTo("2");
        assertThat(text(report, "//*[local-name()='record'][1]//*[local-name()='policy_evaluated']/*[local-name()='disposition']")).isEqualTo("none");
        assertThat(text(report, "//*[local-name()='record'][2]//*[local-name()='source_ip']")).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(text(report, "//*[local-name()='record'][2]//*[local-name()='policy_evaluated']/*[local-name()='disposition']")).isEqualTo("quarantine");
        assertThat(text(report, "//*[local-name()='record'][2]//*[local-name()='spf']/*[local-name()='result']")).isEqualTo("fail");
        assertThat(text(report, "//*[local-name()='date_range']/*[local-name()='end']")).isEqualTo(String.valueOf(DAY.getEpochSecond() + 86399));
        assertThat(text(report, "//*[local-name()='policy_published']/*[local-name()='p']")).isEqualTo("quarantine");
    }

    @Test
    void hostileTextIsEscapedAndTheReportStillValidates() throws Exception {
        ZoneDns dns = new ZoneDns().txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=0; rua=mailto:dmarc@example.com");
        DkimResult odd = new DkimResult(AuthResult.NEUTRAL, Optional.of("example.com"), Optional.of("<s>&\u0001\"]]>"),
            Optional.empty(), Optional.empty(), Optional.empty(), "", false, OptionalLong.empty());

        String xml = AggregateReportXml.write(REPORTER, "id", DAY, DAY.plusSeconds(86400),
            evaluate(dns, "198.51.100.1", "", "example.com", List.of(odd)));

        Document report = validated(xml);
        assertThat(text(report, "//*[local-name()='selector']")).isEqualTo("<s>&?\"]]>");
        assertThat(text(report, "//*[local-name()='reason']/*[local-name()='type']")).isEqualTo("sampled_out");
    }

    @Test
    void noRecordWithoutRua() {
        ZoneDns dns = new ZoneDns().txt("_dmarc.example.com", "v=DMARC1; p=reject");

        assertThat(evaluate(dns, "198.51.100.1", "", "example.com", List.of())).isEmpty();
    }

    @Test
    void externalDestinationsNeedTheirVerificationRecord() {
        ZoneDns dns = new ZoneDns().txt("example.com._report._dmarc.collector.example", "v=DMARC1")
            .timeout("example.com._report._dmarc.flaky.example");
        ReportDestinations destinations = new ReportDestinations(dns);

        assertThat(destinations.check("example.com", "dmarc@reports.example.com")).isEqualTo(ReportDestinations.Check.ALLOWED);
        assertThat(destinations.check("example.com", "agg@collector.example")).isEqualTo(ReportDestinations.Check.ALLOWED);
        assertThat(destinations.check("example.com", "agg@unverified.example")).isEqualTo(ReportDestinations.Check.REFUSED);
        assertThat(destinations.check("example.com", "agg@flaky.example")).isEqualTo(ReportDestinations.Check.TEMPERROR);
    }
}
