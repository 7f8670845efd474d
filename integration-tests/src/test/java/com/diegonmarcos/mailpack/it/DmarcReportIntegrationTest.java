package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

import javax.mail.BodyPart;
import javax.mail.Multipart;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

import com.diegonmarcos.mailpack.it.peers.Dkimpy;
import com.diegonmarcos.mailpack.it.peers.SmtpSink;
import com.diegonmarcos.mailpack.it.peers.TestDns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * DMARC aggregate reports end to end: messages evaluated on port 25 are recorded; the webadmin
 * trigger sends one gzipped XML report (valid against RFC 7489 Appendix C, DKIM-signed by our
 * DkimSign, checked by dkimpy) to the rua addresses that may receive it, through RemoteDelivery to
 * a test SMTP server; a second run sends nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DmarcReportIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "dmarc-report-passphrase-0001";
    static final Path SCHEMA = Path.of("../mailets/src/test/resources/dmarc/rfc7489-appendix-c.xsd");
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    @Order(1)
    static TestDns dns = TestDns.forZones("report.example", "collector.example", "unverified.example", "diegonmarcos.com");

    @RegisterExtension
    @Order(2)
    static SmtpSink remote = SmtpSink.create();

    @RegisterExtension
    @Order(3)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_DNS_SERVERS", dns.address())
        .variable("MAILPACK_DNS_TIMEOUT", "1s")
        .remoteDeliveryThrough(remote.port());

    @BeforeAll
    static void setUp() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        server.publishDkimRecords(dns);
        dns.txt("report.example", "v=spf1 ip4:127.0.0.1 -all");
        dns.txt("_dmarc.report.example", "v=DMARC1; p=quarantine; rua=mailto:dmarc@report.example,"
            + "mailto:agg@collector.example,mailto:agg@unverified.example,mailto:tiny@report.example!10");
        dns.txt("report.example._report._dmarc.collector.example", "v=DMARC1");
    }

    static void send(String mailFrom, String from) throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO client.test.example");
            assertThat(smtp.send("MAIL FROM:<" + mailFrom + ">")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.data("From: " + from + "\r\nTo: " + DIEGO + "\r\nSubject: report " + UUID.randomUUID()
                + "\r\nMessage-ID: <" + UUID.randomUUID() + "@report.example>\r\n\r\nhello\r\n")).startsWith("250");
        }
    }

    static String tomorrow() {
        return LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
    }

    @Test
    @Order(1)
    void aReportWithTheExpectedCountsIsSentSignedToTheAllowedRuaAddresses() throws Exception {
        send("alice@report.example", "alice@report.example");
        send("alice@report.example", "Alice <alice@report.example>");
        send("bounce@unverified.example", "ceo@report.example");

        HttpResponse<String> run = server.webAdmin("POST", "/dmarc/reports?until=" + tomorrow(), null);

        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        JsonNode sent = JSON.readTree(run.body());
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).get("domain").asText()).isEqualTo("report.example");
        assertThat(sent.get(0).get("recipients").toString()).isEqualTo("[\"dmarc@report.example\",\"agg@collector.example\"]");

        Set<String> recipients = new TreeSet<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            remote.received().stream().filter(message -> message.text().contains("Report Domain: report.example"))
                .forEach(message -> recipients.addAll(message.recipients()));
            return recipients.size() == 2;
        });
        assertThat(recipients).containsExactly("<agg@collector.example>", "<dmarc@report.example>");
        SmtpSink.Received report = remote.await(text -> text.contains("Report Domain: report.example"));
        assertThat(report.sender()).isEqualTo("<postmaster@diegonmarcos.com>");

        assertThat(Dkimpy.verdicts(report.data(), dns)).hasSize(2)
            .allSatisfy(verdict -> assertThat(verdict).startsWith("pass diegonmarcos.com "));

        Document xml = validatedReport(report.data());
        assertThat(text(xml, "//*[local-name()='policy_published']/*[local-name()='domain']")).isEqualTo("report.example");
        assertThat(text(xml, "count(//*[local-name()='record'])")).isEqualTo("2");
        assertThat(text(xml, "//*[local-name()='record'][*[local-name()='row']/*[local-name()='policy_evaluated']"
            + "/*[local-name()='disposition']='none']/*[local-name()='row']/*[local-name()='count']")).isEqualTo("2");
        assertThat(text(xml, "//*[local-name()='record'][*[local-name()='row']/*[local-name()='policy_evaluated']"
            + "/*[local-name()='disposition']='quarantine']/*[local-name()='row']/*[local-name()='count']")).isEqualTo("1");
        assertThat(text(xml, "//*[local-name()='record'][1]/*[local-name()='row']/*[local-name()='source_ip']")).isEqualTo("127.0.0.1");
        assertThat(text(xml, "//*[local-name()='record'][1]//*[local-name()='spf']/*[local-name()='result']")).isEqualTo("pass");
    }

    @Test
    @Order(2)
    void aSecondRunForTheSamePeriodSendsNothing() throws Exception {
        HttpResponse<String> run = server.webAdmin("POST", "/dmarc/reports?until=" + tomorrow(), null);

        assertThat(run.statusCode()).isEqualTo(200);
        assertThat(run.body()).isEqualTo("[]");
    }

    @Test
    @Order(3)
    void aDateTooFarAheadIsRefused() throws Exception {
        HttpResponse<String> run = server.webAdmin("POST", "/dmarc/reports?until=2999-01-01", null);

        assertThat(run.statusCode()).isEqualTo(400);
        assertThat(run.body()).contains("until may be at most tomorrow");
    }

    static Document validatedReport(byte[] raw) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        Multipart parts = (Multipart) message.getContent();
        byte[] gzipped = null;
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            if (part.getFileName() != null && part.getFileName().equals("diegonmarcos.com!report.example!"
                + LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toEpochSecond() + "!"
                + (LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() - 1) + ".xml.gz")) {
                assertThat(part.getContentType()).startsWith("application/gzip");
                try (InputStream in = part.getInputStream()) {
                    gzipped = in.readAllBytes();
                }
            }
        }
        assertThat(gzipped).as("the .xml.gz part").isNotNull();
        String xml;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(SCHEMA.toFile()).newValidator()
            .validate(new StreamSource(new StringReader(xml)));
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    static String text(Document document, String xpath) throws Exception {
        return XPathFactory.newInstance().newXPath().evaluate(xpath, document);
    }

}
