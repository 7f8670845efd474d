package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.dkim.SigningKey;
import com.diegonmarcos.mailpack.it.peers.Dkimpy;
import com.diegonmarcos.mailpack.it.peers.TestDns;

/**
 * Port 25 end to end: SPF, DKIM and DMARC evaluated at DATA time against a real NSD zone, the
 * policy enforced in the SMTP dialogue.
 *
 * <p>The test client connects from 127.0.0.1, and that is the address SPF checks: the zones
 * authorize it ({@code ip4:127.0.0.1}) for the domains that should pass and leave it out
 * ({@code ip4:192.0.2.1 -all}) for the domains being spoofed. Nothing fakes the client address.
 */
class DmarcIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "dmarc-check-passphrase-0001";

    @RegisterExtension
    @Order(1)
    static TestDns dns = TestDns.forZones("reject.example", "quarantine.example", "pass.example", "signed.example",
        "hostile.example", "lenient.example");

    @RegisterExtension
    @Order(2)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_DNS_SERVERS", dns.address())
        .variable("MAILPACK_DNS_TIMEOUT", "1s")
        // the shipped conf/dmarc.xml with one never-reject domain
        .overlay("dmarc.xml", MailpackTestServer.shippedConf("dmarc.xml").replace("<!-- <domain>bank.example</domain> -->",
            "<domain>lenient.example</domain>"));

    static String ed25519Seed;

    @BeforeAll
    static void zones() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        dns.txt("reject.example", "v=spf1 ip4:192.0.2.1 -all");
        dns.txt("_dmarc.reject.example", "v=DMARC1; p=reject; rua=mailto:dmarc@reject.example");
        dns.txt("quarantine.example", "v=spf1 ip4:192.0.2.1 -all");
        dns.txt("_dmarc.quarantine.example", "v=DMARC1; p=quarantine");
        dns.txt("pass.example", "v=spf1 ip4:127.0.0.1 -all");
        dns.txt("_dmarc.pass.example", "v=DMARC1; p=reject; aspf=s");
        // signed.example: SPF does not authorize 127.0.0.1, but mail carries an aligned DKIM signature
        dns.txt("signed.example", "v=spf1 -all");
        dns.txt("_dmarc.signed.example", "v=DMARC1; p=reject");
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        ed25519Seed = Base64.getEncoder().encodeToString(seed);
        dns.txt("ed._domainkey.signed.example", SigningKey.ed25519("ed", seed).txtRecord());
        dns.txt("lenient.example", "v=spf1 ip4:192.0.2.1 -all");
        dns.txt("_dmarc.lenient.example", "v=DMARC1; p=reject");
        // hostile.example: records meant to hurt (served by NSD as they are: CR/LF as \013\010)
        StringBuilder rua = new StringBuilder("mailto:a@hostile.example\\013\\010Bcc: victim@evil.example");
        for (int i = 0; i < 50; i++) {
            rua.append(",mailto:r").append(i).append("@hostile.example?subject=x%0d%0aBcc:victim@evil.example");
        }
        String record = "v=DMARC1; p=quarantine; rua=" + rua + "; x=" + "A".repeat(3000);
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < record.length(); i += 200) {
            strings.add("\"" + record.substring(i, Math.min(record.length(), i + 200)) + "\"");
        }
        dns.set("_dmarc.hostile.example", "TXT", "( " + String.join(" ", strings) + " )");
        StringBuilder spf = new StringBuilder("v=spf1");
        for (int i = 0; i < 300; i++) {
            spf.append(" a:h").append(i).append(".hostile.example");
        }
        List<String> spfStrings = new ArrayList<>();
        for (int i = 0; i < spf.length(); i += 200) {
            spfStrings.add("\"" + spf.substring(i, Math.min(spf.length(), i + 200)) + "\"");
        }
        dns.set("hostile.example", "TXT", "( " + String.join(" ", spfStrings) + " )");
    }

    static String message(String from, String marker) {
        return "From: " + from + "\r\n"
            + "To: diego@diegonmarcos.com\r\n"
            + "Subject: dmarc " + marker + "\r\n"
            + "Date: Sat, 21 Nov 2026 09:00:00 +0000\r\n"
            + "Message-ID: <" + marker + "@test.example>\r\n"
            + "\r\n"
            + marker + "\r\n";
    }

    /** One transaction; returns the reply to the end of DATA. */
    static String send(String mailFrom, String message) throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO client.test.example");
            assertThat(smtp.send("MAIL FROM:<" + mailFrom + ">")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            return smtp.data(message);
        }
    }

    static String awaitIn(String folder, String marker) {
        AtomicReference<String> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            for (String raw : Clients.imapsFolder(server, DIEGO, PASSWORD, folder)) {
                if (raw.contains(marker)) {
                    found.set(raw);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    static List<String> authenticationResults(String raw) {
        String header = raw.substring(0, raw.indexOf("\r\n\r\n") + 2).replaceAll("\r\n[ \t]+", " ");
        Matcher fields = Pattern.compile("(?m)^Authentication-Results:(.*)$").matcher(header);
        List<String> all = new ArrayList<>();
        while (fields.find()) {
            all.add(fields.group(1).trim());
        }
        return all;
    }

    @Test
    void spoofedFromOfARejectDomainIsRefusedInTheDialogueAndNothingIsDelivered() throws Exception {
        String spoofed = "spoofed-" + UUID.randomUUID();

        String reply = send("ceo@reject.example", message("The CEO <ceo@reject.example>", spoofed));

        assertThat(reply).isEqualTo("550 5.7.1 Rejected by the DMARC policy of reject.example (neither SPF nor DKIM authenticates it)");
        // a message sent after it arrives; the refused one is in no folder then
        String after = "after-" + UUID.randomUUID();
        assertThat(send("alice@pass.example", message("alice@pass.example", after))).startsWith("250");
        awaitIn("INBOX", after);
        assertThat(Clients.imapsFolder(server, DIEGO, PASSWORD, "INBOX")).noneMatch(raw -> raw.contains(spoofed));
    }

    @Test
    void quarantineDomainFailingDmarcLandsInJunk() throws Exception {
        String marker = "quarantine-" + UUID.randomUUID();

        assertThat(send("billing@quarantine.example", message("billing@quarantine.example", marker))).startsWith("250");

        String raw = awaitIn("Spam", marker);
        assertThat(authenticationResults(raw)).singleElement().asString()
            .contains("spf=fail smtp.mailfrom=billing@quarantine.example")
            .contains("dmarc=fail (p=quarantine dis=QUARANTINE) header.from=quarantine.example");
        assertThat(Clients.imapsFolder(server, DIEGO, PASSWORD, "INBOX")).noneMatch(text -> text.contains(marker));
    }

    @Test
    void alignedSpfPassGoesToInboxWithOneAuthenticationResultsAndForgedOnesRemoved() throws Exception {
        String marker = "pass-" + UUID.randomUUID();
        String forged = "Authentication-Results: mail.diegonmarcos.com; dmarc=pass header.from=paypal.com\r\n";

        assertThat(send("alice@pass.example", forged + message("Alice <alice@pass.example>", marker))).startsWith("250");

        String raw = awaitIn("INBOX", marker);
        assertThat(authenticationResults(raw)).containsExactly("mail.diegonmarcos.com; "
            + "spf=pass smtp.mailfrom=alice@pass.example; "
            + "dkim=none; "
            + "dmarc=pass (p=reject dis=NONE) header.from=pass.example");
    }

    @Test
    void alignedDkimPassWithSpfFailIsDeliveredAndVerifiedOnce() throws Exception {
        String marker = "dkim-" + UUID.randomUUID();
        String message = message("Bob <bob@signed.example>", marker);
        String signed = Dkimpy.sign(message.getBytes(StandardCharsets.ISO_8859_1), "ed", "signed.example", "ed25519-sha256",
            ed25519Seed, false) + message;

        assertThat(send("bob@signed.example", signed)).startsWith("250");

        String raw = awaitIn("INBOX", marker);
        assertThat(authenticationResults(raw)).singleElement().asString()
            .startsWith("mail.diegonmarcos.com; spf=fail smtp.mailfrom=bob@signed.example; ")
            .contains("dkim=pass header.d=signed.example header.i=@signed.example header.s=ed header.a=ed25519-sha256")
            .endsWith("dmarc=pass (p=reject dis=NONE) header.from=signed.example");
    }

    @Test
    void aDnsOutageIsATemporaryFailure() throws Exception {
        String marker = "dnsdown-" + UUID.randomUUID();
        dns.stop();
        try {
            String reply = send("alice@pass.example", message("alice@pass.example", marker));

            assertThat(reply).isEqualTo("451 4.7.1 Temporary DNS failure checking the DMARC policy of pass.example, try again later");
        } finally {
            dns.start();
        }
    }

    @Test
    void hostileRecordsNeitherCrashNorInjectAndWorkIsBounded() throws Exception {
        String marker = "hostile-" + UUID.randomUUID();

        assertThat(send("x@hostile.example", message("x@hostile.example", marker))).startsWith("250");

        String raw = awaitIn("Spam", marker);
        String header = raw.substring(0, raw.indexOf("\r\n\r\n"));
        assertThat(header).doesNotContainIgnoringCase("Bcc:").doesNotContain("victim@evil.example");
        assertThat(authenticationResults(raw)).singleElement().asString()
            .contains("spf=permerror smtp.mailfrom=x@hostile.example")
            .contains("dmarc=fail (p=quarantine dis=QUARANTINE) header.from=hostile.example");
    }

    @Test
    void aNeverRejectDomainFailingPRejectIsQuarantinedInstead() throws Exception {
        String marker = "lenient-" + UUID.randomUUID();

        assertThat(send("alerts@lenient.example", message("alerts@lenient.example", marker))).startsWith("250");

        assertThat(authenticationResults(awaitIn("Spam", marker))).singleElement().asString()
            .contains("dmarc=fail (p=reject dis=QUARANTINE override=local_policy) header.from=lenient.example");
    }
}
