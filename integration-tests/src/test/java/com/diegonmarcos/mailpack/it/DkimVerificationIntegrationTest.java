package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.dkim.SigningKey;
import com.diegonmarcos.mailpack.it.peers.Dkimpy;
import com.diegonmarcos.mailpack.it.peers.TestDns;

/**
 * Inbound mail (port 25) signed by dkimpy, a foreign signer, with keys published in a real NSD:
 * mailpack's DkimVerify writes one Authentication-Results result per signature.
 */
class DkimVerificationIntegrationTest {
    static final String SENDER_DOMAIN = "sender.example";
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "dkim-verify-passphrase-0001";

    @RegisterExtension
    @Order(1)
    static TestDns dns = TestDns.forZones(SENDER_DOMAIN);

    @RegisterExtension
    @Order(2)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_DNS_SERVERS", dns.address())
        .variable("MAILPACK_DNS_TIMEOUT", "1s")
        // DNS outages are accepted with temperror results here (DmarcIntegrationTest covers the 451 default)
        .variable("MAILPACK_DMARC_ON_TEMPERROR", "accept");

    static String ed25519Seed;
    static String rsaPem;

    @BeforeAll
    static void keys() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        ed25519Seed = Base64.getEncoder().encodeToString(seed); // dkimpy's ed25519 key format
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair rsa = generator.generateKeyPair();
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(rsa.getPrivate());
        }
        rsaPem = pem.toString();
        dns.txt("ed._domainkey." + SENDER_DOMAIN, SigningKey.ed25519("ed", seed).txtRecord());
        dns.txt("rsa._domainkey." + SENDER_DOMAIN, SigningKey.of("rsa", rsa.getPrivate()).txtRecord());
        dns.txt("garbage._domainkey." + SENDER_DOMAIN, "v=DKIM1; k=rsa; p=this-is-not%base64");
        dns.txt("revoked._domainkey." + SENDER_DOMAIN, "v=DKIM1; k=ed25519; p=");
    }

    static String message(String marker) {
        return "From: Alice <alice@sender.example>\r\n"
            + "To: diego@diegonmarcos.com\r\n"
            + "Subject: hello " + marker + "\r\n"
            + "Date: Sat, 21 Nov 2026 09:00:00 +0000\r\n"
            + "Message-ID: <" + marker + "@sender.example>\r\n"
            + "\r\n"
            + marker + "\r\nA body signed by dkimpy.\r\n";
    }

    static String signEd25519(String message, String selector, boolean length) {
        return Dkimpy.sign(message.getBytes(StandardCharsets.ISO_8859_1), selector, SENDER_DOMAIN, "ed25519-sha256", ed25519Seed, length);
    }

    static String signRsa(String message, String selector) {
        return Dkimpy.sign(message.getBytes(StandardCharsets.ISO_8859_1), selector, SENDER_DOMAIN, "rsa-sha256", rsaPem, false);
    }

    static void sendInbound(String message) throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.sender.example");
            assertThat(smtp.send("MAIL FROM:<alice@sender.example>")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.data(message)).startsWith("250");
        }
    }

    /** The Authentication-Results field of the delivered message, unfolded. */
    static String authenticationResults(String marker) {
        AtomicReference<String> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            for (String raw : Clients.imapsInbox(server, DIEGO, PASSWORD)) {
                if (raw.contains(marker)) {
                    found.set(raw);
                    return true;
                }
            }
            return false;
        });
        String header = found.get().substring(0, found.get().indexOf("\r\n\r\n") + 2).replaceAll("\r\n[ \t]+", " ");
        Matcher fields = Pattern.compile("(?m)^Authentication-Results:(.*)$").matcher(header);
        List<String> all = new java.util.ArrayList<>();
        while (fields.find()) {
            all.add(fields.group(1).trim());
        }
        assertThat(all).as("exactly one Authentication-Results by us").hasSize(1);
        return all.get(0);
    }

    @Test
    void bothAlgorithmsSignedByDkimpyPass() throws Exception {
        String marker = "pass-" + UUID.randomUUID();
        String message = message(marker);
        sendInbound(signEd25519(message, "ed", false) + signRsa(message, "rsa") + message);

        String results = authenticationResults(marker);

        assertThat(results).startsWith("mail.diegonmarcos.com;")
            .contains("dkim=pass header.d=sender.example header.i=@sender.example header.s=ed header.a=ed25519-sha256")
            .contains("dkim=pass header.d=sender.example header.i=@sender.example header.s=rsa header.a=rsa-sha256");
    }

    @Test
    void aBodyChangedAfterSigningFails() throws Exception {
        String marker = "fail-" + UUID.randomUUID();
        String message = message(marker);
        String signed = signEd25519(message, "ed", false) + signRsa(message, "rsa") + message;

        sendInbound(signed.replace("A body signed", "A body changed"));

        assertThat(authenticationResults(marker))
            .contains("dkim=fail reason=\"body hash did not verify\" header.d=sender.example header.i=@sender.example header.s=ed")
            .contains("dkim=fail reason=\"body hash did not verify\" header.d=sender.example header.i=@sender.example header.s=rsa");
    }

    @Test
    void garbageInTheKeyRecordIsPermerrorAndARevokedKeyToo() throws Exception {
        String marker = "permerror-" + UUID.randomUUID();
        String message = message(marker);

        sendInbound(signRsa(message, "garbage") + signEd25519(message, "revoked", false) + message);

        assertThat(authenticationResults(marker))
            .contains("dkim=permerror reason=\"bad key record: key record p= is not base64\" header.d=sender.example")
            .contains("dkim=permerror reason=\"key revoked\" header.d=sender.example");
    }

    @Test
    void aMissingKeyIsPermerrorNeverNone() throws Exception {
        String marker = "nokey-" + UUID.randomUUID();
        String message = message(marker);

        sendInbound(signEd25519(message, "nosuchselector", false) + message);

        assertThat(authenticationResults(marker)).contains("dkim=permerror reason=\"no key for signature\" header.d=sender.example")
            .doesNotContain("dkim=none");
    }

    @Test
    void contentAppendedAfterTheSignedLengthIsAPolicyFailure() throws Exception {
        String marker = "length-" + UUID.randomUUID();
        String message = message(marker);
        String signed = signEd25519(message, "ed", true) + message;
        assertThat(signed).contains("l=");

        sendInbound(signed + "Unsigned text appended by someone else: http://evil.example/\r\n");

        assertThat(authenticationResults(marker)).containsPattern("dkim=policy reason=\"l=\\d+ signs \\d+ of \\d+ body octets\" header.d=sender.example");
    }

    @Test
    void aDnsOutageIsTemperror() throws Exception {
        String marker = "dnsdown-" + UUID.randomUUID();
        String message = message(marker);
        String signed = signEd25519(message, "ed", false) + message;
        dns.stop();
        try {
            sendInbound(signed);

            assertThat(authenticationResults(marker)).contains("dkim=temperror reason=\"key lookup failed: ed._domainkey.sender.example")
                .contains("header.d=sender.example header.i=@sender.example header.s=ed");
        } finally {
            dns.start();
        }
    }

    @Test
    void unsignedMailIsNoneAndForgedResultsAreDropped() throws Exception {
        String marker = "none-" + UUID.randomUUID();

        sendInbound("Authentication-Results: mail.diegonmarcos.com; dkim=pass header.d=paypal.com\r\n" + message(marker));

        assertThat(authenticationResults(marker)).startsWith("mail.diegonmarcos.com; spf=")
            .contains("; dkim=none; dmarc=").doesNotContain("paypal.com");
    }
}
