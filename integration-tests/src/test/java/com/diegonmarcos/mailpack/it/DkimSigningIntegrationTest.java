package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.Dkimpy;
import com.diegonmarcos.mailpack.it.peers.Opendkim;
import com.diegonmarcos.mailpack.it.peers.Peers;
import com.diegonmarcos.mailpack.it.peers.SmtpSink;
import com.diegonmarcos.mailpack.it.peers.TestDns;

/**
 * Mail submitted by diego@ is signed (ed25519-sha256 + rsa-sha256) before the local/remote split:
 * the copy in his INBOX (IMAPS) and the copy a remote server receives (RemoteDelivery to a local SMTP
 * sink without 8BITMIME, so the 7-bit downgrade runs too) both verify with dkimpy and opendkim,
 * against the records mailpack prints, published in a real NSD. Locally generated bounces are
 * signed; inbound mail forwarded by an alias is not.
 */
class DkimSigningIntegrationTest {
    static final String DOMAIN = MailpackTestServer.DOMAIN;
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "dkim-signing-passphrase-01";

    @RegisterExtension
    @Order(1)
    static TestDns dns = TestDns.forZones(DOMAIN);

    @RegisterExtension
    @Order(2)
    static SmtpSink remote = SmtpSink.create();

    @RegisterExtension
    @Order(3)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_DNS_SERVERS", dns.address())
        .variable("MAILPACK_DNS_TIMEOUT", "1s")
        .remoteDeliveryThrough(remote.port());

    static SSLContext tls;
    static final Map<String, String> published = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        tls = Clients.trusting(server.certificate());
        published.putAll(server.publishDkimRecords(dns));
        assertThat(published).hasSize(2);
    }

    static String submit(List<String> recipients, String message) throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.submissionPort())) {
            smtp.send("EHLO client.example");
            assertThat(smtp.startTls(tls)).startsWith("220");
            smtp.send("EHLO client.example");
            assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("235");
            assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
            for (String recipient : recipients) {
                assertThat(smtp.send("RCPT TO:<" + recipient + ">")).startsWith("250");
            }
            return smtp.data(message);
        }
    }

    static String message(String marker, String to, String from) {
        return "From: Diego <" + from + ">\r\n"
            + "To: " + to + "\r\n"
            + "Bcc: hidden@example.net\r\n"
            + "Subject: DKIM " + marker + "\r\n"
            + "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
            + "Message-ID: <" + marker + "@diegonmarcos.com>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n"
            + "\r\n"
            + marker + "\r\n"
            + "Olá, ça va? — an 8bit UTF-8 body\r\n"
            + ".a line starting with a dot\r\n"
            + "trailing spaces and\ttabs   \r\n"
            + "\r\n\r\n";
    }

    static byte[] inInbox(String marker) {
        AtomicReference<byte[]> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            for (byte[] raw : Clients.imapsFolderRaw(server, DIEGO, PASSWORD, "INBOX")) {
                if (new String(raw, StandardCharsets.ISO_8859_1).contains(marker)) {
                    found.set(raw);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    static List<String> signatureSelectors(String message) {
        Matcher matcher = Pattern.compile("DKIM-Signature:.*?\\bs=([A-Za-z0-9.-]+);", Pattern.DOTALL).matcher(message);
        List<String> selectors = new java.util.ArrayList<>();
        while (matcher.find()) {
            selectors.add(matcher.group(1));
        }
        return selectors;
    }

    /** The message with only the rsa-sha256 signature (opendkim-testmsg is an RSA verifier here). */
    static byte[] rsaOnly(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        String withoutEd25519 = text.replaceFirst("DKIM-Signature: v=1; a=ed25519-sha256;(?:[^\\r]*\\r\\n[ \\t])*[^\\r]*\\r\\n", "");
        assertThat(withoutEd25519).contains("a=rsa-sha256").doesNotContain("a=ed25519-sha256");
        return withoutEd25519.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] tampered(byte[] message, String marker) {
        return new String(message, StandardCharsets.ISO_8859_1).replace(marker, marker + " (edited)").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theStoredCopyAndTheSentCopyBothVerifyWithDkimpyAndOpendkim() throws Exception {
        String marker = "signed-" + UUID.randomUUID();
        assertThat(submit(List.of(DIEGO, "bob@remote.example"), message(marker, DIEGO + ", bob@remote.example", DIEGO))).startsWith("250");

        byte[] stored = inInbox(marker);
        byte[] sent = remote.await(text -> text.contains(marker)).data();

        List<String> expected = List.of("pass diegonmarcos.com 202611e ed25519-sha256", "pass diegonmarcos.com 202611r rsa-sha256")
            .stream().map(line -> line.replace("202611", selectorMonth())).toList();
        for (byte[] copy : List.of(stored, sent)) {
            String text = new String(copy, StandardCharsets.ISO_8859_1);
            assertThat(text).doesNotContain("hidden@example.net"); // Bcc removed before signing
            assertThat(Dkimpy.verdicts(copy, dns)).containsExactlyElementsOf(expected);
            Peers.Result opendkim = Opendkim.verify(rsaOnly(copy), published, DOMAIN);
            assertThat(opendkim.exitCode()).as("opendkim-testmsg: %s", opendkim.output()).isZero();
            assertThat(opendkim.output()).isBlank();
        }
        assertThat(new String(sent, StandardCharsets.ISO_8859_1)).as("downgraded for a server without 8BITMIME")
            .contains("Content-Transfer-Encoding: quoted-printable");
    }

    @Test
    void aChangedBodyFailsBothVerifiers() throws Exception {
        String marker = "tamper-" + UUID.randomUUID();
        assertThat(submit(List.of("carol@remote.example"), message(marker, "carol@remote.example", DIEGO))).startsWith("250");
        byte[] sent = remote.await(text -> text.contains(marker)).data();

        byte[] edited = tampered(sent, marker);

        assertThat(Dkimpy.verify(edited, dns)).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("fail diegonmarcos.com"));
        Peers.Result opendkim = Opendkim.verify(rsaOnly(edited), published, DOMAIN);
        assertThat(opendkim.exitCode()).as("opendkim-testmsg on a changed body: %s", opendkim.output()).isNotZero();
    }

    @Test
    void recordsAreZoneFileReadyWithStringsOfAtMost255Octets() throws Exception {
        HttpResponse<String> records = server.webAdmin("GET", "/dkim/" + DOMAIN + "/records", null);

        assertThat(records.statusCode()).isEqualTo(200);
        assertThat(records.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(records.body()).contains(selectorMonth() + "e._domainkey.diegonmarcos.com. IN TXT \"v=DKIM1; k=ed25519; p=",
            selectorMonth() + "r._domainkey.diegonmarcos.com. IN TXT (");
        Matcher strings = Pattern.compile("\"([^\"]*)\"").matcher(records.body());
        while (strings.find()) {
            assertThat(strings.group(1).length()).isLessThanOrEqualTo(255);
        }
    }

    @Test
    void dkimRoutesNeedTheAdminToken() throws Exception {
        HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.webAdminUrl() + "/dkim/" + DOMAIN + "/records")).build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void aBounceGeneratedHereIsSigned() throws Exception {
        String marker = "bounce-" + UUID.randomUUID();
        assertThat(submit(List.of("reject-me@remote.example"), message(marker, "reject-me@remote.example", DIEGO))).startsWith("250");

        byte[] bounce = inInbox(marker);

        String text = new String(bounce, StandardCharsets.ISO_8859_1);
        assertThat(text).containsPattern("(?m)^From: .*postmaster@diegonmarcos.com");
        assertThat(Dkimpy.verdicts(bounce, dns)).containsExactly("pass diegonmarcos.com " + selectorMonth() + "e ed25519-sha256",
            "pass diegonmarcos.com " + selectorMonth() + "r rsa-sha256");
    }

    @Test
    void inboundMailForwardedByAnAliasIsNeverSigned() throws Exception {
        assertThat(server.webAdmin("POST", "/mappings/address/fwd@diegonmarcos.com/targets/dave@remote.example", null).statusCode())
            .isEqualTo(204);
        String marker = "forwarded-" + UUID.randomUUID();
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            assertThat(smtp.send("MAIL FROM:<ceo@diegonmarcos.com>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<fwd@diegonmarcos.com>")).startsWith("250");
            // a spoofed local From: signing it would vouch for it
            assertThat(smtp.data(message(marker, "fwd@diegonmarcos.com", "ceo@diegonmarcos.com"))).startsWith("250");
        }

        String forwarded = remote.await(text -> text.contains(marker)).text();

        // our Authentication-Results (written by the port-25 DMARC check: spf, dkim, dmarc) marks it as inbound
        assertThat(forwarded).doesNotContain("DKIM-Signature:").contains("Authentication-Results: mail.diegonmarcos.com;")
            .contains("\tdkim=none;");
    }

    /** Selectors are named after the month the keys were made (e.g. 202611). */
    static String selectorMonth() {
        return java.time.format.DateTimeFormatter.ofPattern("yyyyMM").withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
    }
}
