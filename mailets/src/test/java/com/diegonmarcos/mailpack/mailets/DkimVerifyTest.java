package com.diegonmarcos.mailpack.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.diegonmarcos.mailpack.dkim.DkimSigner;
import com.diegonmarcos.mailpack.dkim.FakeDns;
import com.diegonmarcos.mailpack.dkim.MessageWriter;

class DkimVerifyTest {
    static final String AUTHSERV_ID = "mail.diegonmarcos.com";
    static final String INBOUND = "From: Alice <alice@example.org>\r\nTo: diego@diegonmarcos.com\r\nSubject: hi\r\n"
        + "Date: Sat, 21 Nov 2026 09:00:00 +0000\r\nMessage-ID: <a1@example.org>\r\n\r\nHello Diego\r\n";

    final FakeDns dns = FakeDns.of(Map.of(
        "s1._domainkey.example.org", DkimSignTest.ED25519.txtRecord(),
        "s2._domainkey.example.org", DkimSignTest.RSA.txtRecord()));
    DkimVerify mailet;

    DkimVerify mailet(Map<String, String> parameters) throws MessagingException {
        DkimVerify mailet = new DkimVerify(dns, Clock.fixed(DkimSignTest.NOW, ZoneOffset.UTC));
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("DkimVerify").mailetContext(FakeMailContext.defaultContext());
        parameters.forEach(config::setProperty);
        mailet.init(config.build());
        return mailet;
    }

    static String signedByExampleOrg(String message) throws Exception {
        List<String> fields = DkimSigner.withDefaults().sign(MessageWriter.of(message.getBytes(StandardCharsets.ISO_8859_1)), "example.org",
            List.of(com.diegonmarcos.mailpack.dkim.SigningKey.ed25519("s1", seed()), rsaS2()), DkimSignTest.NOW);
        return String.join("\r\n", fields) + "\r\n" + message;
    }

    static byte[] seed() {
        // the test ed25519 key's seed, through PKCS#8 (the last 32 octets)
        byte[] pkcs8 = com.diegonmarcos.mailpack.dkim.TestKeys.ED25519.getPrivate().getEncoded();
        return java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
    }

    static com.diegonmarcos.mailpack.dkim.SigningKey rsaS2() {
        return com.diegonmarcos.mailpack.dkim.TestKeys.rsa("s2");
    }

    static List<String> headerLines(Mail mail) throws MessagingException {
        return Collections.list(mail.getMessage().getAllHeaderLines());
    }

    static String authenticationResults(Mail mail) throws MessagingException {
        List<String> fields = headerLines(mail).stream().filter(line -> line.startsWith("Authentication-Results:")).collect(Collectors.toList());
        assertThat(fields).hasSize(1);
        return fields.get(0);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> results(Mail mail) {
        Collection<AttributeValue<?>> list = (Collection<AttributeValue<?>>) mail.getAttribute(DkimVerify.RESULTS).orElseThrow().getValue().value();
        return list.stream().map(value -> ((Map<String, AttributeValue<?>>) value.value()).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> (Object) entry.getValue().value())))
            .collect(Collectors.toList());
    }

    @Nested
    class Init {
        @Test
        void authservIdIsRequired() {
            assertThatThrownBy(() -> mailet(Map.of())).hasMessageStartingWith("DkimVerify: authservId is required");
        }

        @Test
        void authservIdMustBeAHostName() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", "mail; dkim=pass"))).hasMessage("DkimVerify: authservId 'mail; dkim=pass' is not a host name");
        }

        @Test
        void unknownParametersStopTheStart() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "colour", "blue"))).hasMessageContaining("colour");
        }

        @Test
        void numbersAreChecked() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "maxSignatures", "0")))
                .hasMessage("DkimVerify: maxSignatures must be between 1 and 50, got 0");
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "maxSignatures", "many")))
                .hasMessage("DkimVerify: maxSignatures must be a number, got 'many'");
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "minRsaBits", "512")))
                .hasMessage("DkimVerify: minRsaBits must be between 1024 and 4096, got 512");
        }

        @Test
        void partialBodyIsPolicyOrAccept() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "partialBody", "ignore")))
                .hasMessage("DkimVerify: partialBody must be 'policy' or 'accept', got 'ignore'");
        }

        @Test
        void clockSkewIsADurationOfAtMostADay() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "clockSkew", "later")))
                .hasMessage("DkimVerify: clockSkew: 'later' is not a duration such as 5m");
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "clockSkew", "2d")))
                .hasMessage("DkimVerify: clockSkew of 2d is more than a day");
        }
    }

    @Nested
    class Service {
        @BeforeEach
        void setUp() throws Exception {
            mailet = mailet(Map.of("authservId", AUTHSERV_ID));
        }

        @Test
        void unsignedMailGetsDkimNoneOnTop() throws Exception {
            Mail mail = DkimSignTest.mail(INBOUND);

            mailet.service(mail);

            assertThat(headerLines(mail).get(0)).isEqualTo("Authentication-Results: mail.diegonmarcos.com; dkim=none");
            assertThat(results(mail)).isEmpty();
        }

        @Test
        void eachSignatureIsReportedInTheHeaderAndTheAttribute() throws Exception {
            Mail mail = DkimSignTest.mail(signedByExampleOrg(INBOUND));

            mailet.service(mail);

            assertThat(authenticationResults(mail)).startsWith("Authentication-Results: mail.diegonmarcos.com;\r\n\tdkim=pass header.d=example.org")
                .contains("header.s=s1 header.a=ed25519-sha256", "header.s=s2 header.a=rsa-sha256");
            assertThat(results(mail)).extracting(result -> result.get("result") + " " + result.get("domain") + " " + result.get("selector")
                    + " " + result.get("algorithm"))
                .containsExactly("pass example.org s1 ed25519-sha256", "pass example.org s2 rsa-sha256");
        }

        @Test
        void changedBodyFailsAndDnsFailureIsTemperror() throws Exception {
            dns.put("s2._domainkey.example.org", FakeDns.TEMPFAIL);
            Mail mail = DkimSignTest.mail(signedByExampleOrg(INBOUND).replace("Hello Diego", "Hello Mallory"));

            mailet.service(mail);

            assertThat(results(mail)).extracting(result -> result.get("result") + " (" + result.get("reason") + ")")
                .containsExactly("fail (body hash did not verify)", "temperror (key lookup failed: s2._domainkey.example.org TXT: timed out)");
            assertThat(authenticationResults(mail)).contains("dkim=fail reason=\"body hash did not verify\"", "dkim=temperror");
        }

        @Test
        void forgedResultsClaimingOurAuthservIdAreRemovedOthersKept() throws Exception {
            Mail mail = DkimSignTest.mail("Authentication-Results: mail.diegonmarcos.com; dkim=pass header.d=paypal.com\r\n"
                + "Authentication-Results: MAIL.DIEGONMARCOS.COM (forged);\r\n\tdkim=pass\r\n"
                + "Authentication-Results: mx.example.org; spf=pass\r\n" + INBOUND);

            mailet.service(mail);

            assertThat(headerLines(mail)).filteredOn(line -> line.startsWith("Authentication-Results:"))
                .containsExactly("Authentication-Results: mail.diegonmarcos.com; dkim=none", "Authentication-Results: mx.example.org; spf=pass");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "v=1; a=ed25519-sha256; a=ed25519-sha256; d=example.org; s=s1; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=example.org; s=s1; h=from; bh=AAAA; b=%%%%",
            "v=1; a=ed25519-sha256; d=example.org\r\n\tX-Injected: yes; s=s1; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=example.org; s=s1\u0000; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=example.org; s=s1; h=from; bh=AAAA; b=AAAA; l=99999999999999999999999999",
            "v=1; a=ed25519-sha256; d=example.org; s=s1; h=from; bh=AAAA; b=AAAA; x=99999999999999999999999",
            "\u00ff\u00fe\u00fd",
            "",
        })
        void hostileSignaturesNeverThrowAndAreReported(String value) throws Exception {
            Mail mail = DkimSignTest.mail("DKIM-Signature: " + value + "\r\n" + INBOUND);

            assertThatCode(() -> mailet.service(mail)).doesNotThrowAnyException();

            assertThat(results(mail)).singleElement().satisfies(result -> assertThat(result.get("result")).isIn("neutral", "fail", "permerror"));
            assertThat(authenticationResults(mail)).startsWith("Authentication-Results: mail.diegonmarcos.com;").doesNotContain("X-Injected: yes;");
        }

        @Test
        void hugeSignatureFieldNeverThrows() throws Exception {
            Mail mail = DkimSignTest.mail("DKIM-Signature: v=1; " + "z=" + "a".repeat(200_000) + "\r\n" + INBOUND);

            assertThatCode(() -> mailet.service(mail)).doesNotThrowAnyException();

            assertThat(results(mail)).extracting(result -> result.get("result")).containsExactly("neutral");
        }

        @Test
        void manyHostileSignaturesAreCappedNeverThrow() throws Exception {
            String many = ("DKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=s1; h=from; bh=AAAA; b=AAAA\r\n").repeat(500);
            Mail mail = DkimSignTest.mail(many + INBOUND);

            assertThatCode(() -> mailet.service(mail)).doesNotThrowAnyException();

            assertThat(results(mail)).hasSize(5);
        }
    }

    @Nested
    class AlreadyVerifiedAtSmtpTime {
        @Test
        void mailWithResultsFromTheSmtpHookIsLeftAsItIs() throws Exception {
            DkimVerify verifier = mailet(Map.of("authservId", AUTHSERV_ID));
            Mail mail = DkimSignTest.mail("Authentication-Results: mail.diegonmarcos.com; spf=pass smtp.mailfrom=a@example.org;\r\n"
                + "\tdkim=none; dmarc=none header.from=example.org\r\n" + signedByExampleOrg(INBOUND));
            mail.setAttribute(DkimVerify.resultsAttribute(List.of()));

            verifier.service(mail);

            // not verified again: the signatures would pass, the attribute says none, and the hook's field stays
            assertThat(results(mail)).isEmpty();
            assertThat(authenticationResults(mail)).contains("spf=pass").contains("dkim=none");
        }
    }
}
