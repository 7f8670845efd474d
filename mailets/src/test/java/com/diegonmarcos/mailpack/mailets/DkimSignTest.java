package com.diegonmarcos.mailpack.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.Converter7Bit;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.dkim.DkimVerifier;
import com.diegonmarcos.mailpack.dkim.FakeDns;
import com.diegonmarcos.mailpack.dkim.MessageWriter;
import com.diegonmarcos.mailpack.dkim.SigningKey;
import com.diegonmarcos.mailpack.dkim.TestKeys;

class DkimSignTest {
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    static final String AUTHSERV_ID = "mail.diegonmarcos.com";
    static final SigningKey ED25519 = TestKeys.ed25519("202611e");
    static final SigningKey RSA = TestKeys.rsa("202611r");
    static final String MESSAGE = "From: Diego <diego@diegonmarcos.com>\r\n"
        + "To: alice@example.org\r\n"
        + "Subject: hello\r\n"
        + "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
        + "Message-ID: <m1@diegonmarcos.com>\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + "Content-Transfer-Encoding: 8bit\r\n"
        + "\r\n"
        + "Ol\u00c3\u00a1, \u00c3\u00a7a va? (UTF-8, sent 8bit)\r\n";

    DkimSign mailet;

    static DkimSign mailet(Map<String, String> parameters) throws MessagingException {
        DkimSign mailet = new DkimSign(domain -> domain.equals("diegonmarcos.com") ? List.of(ED25519, RSA) : List.of(),
            Clock.fixed(NOW, ZoneOffset.UTC));
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("DkimSign").mailetContext(FakeMailContext.defaultContext());
        parameters.forEach(config::setProperty);
        mailet.init(config.build());
        return mailet;
    }

    /** A message as James holds it: parsed lazily from the bytes the SMTP server received. */
    static MimeMessage james(String raw) throws MessagingException {
        return new MimeMessageWrapper(MimeMessageInputStreamSource.create("test", new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1))));
    }

    static Mail mail(String raw) throws MessagingException {
        return FakeMail.builder().name("m").mimeMessage(james(raw)).sender("diego@diegonmarcos.com").recipient("alice@example.org").build();
    }

    static byte[] bytes(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    static List<String> verify(byte[] message) throws Exception {
        FakeDns dns = FakeDns.of(Map.of("202611e._domainkey.diegonmarcos.com", ED25519.txtRecord(),
            "202611r._domainkey.diegonmarcos.com", RSA.txtRecord()));
        return new DkimVerifier(dns, 5, DkimVerifier.PartialBody.POLICY, Duration.ofMinutes(5), 1024)
            .verify(MessageWriter.of(message), NOW).results().stream()
            .map(result -> result.result().token() + " " + result.selector().orElse("?") + (result.reason().isEmpty() ? "" : " " + result.reason()))
            .collect(Collectors.toList());
    }

    @Nested
    class Init {
        @Test
        void authservIdIsRequired() {
            assertThatThrownBy(() -> mailet(Map.of())).isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("DkimSign: authservId is required");
        }

        @Test
        void unknownParametersStopTheStart() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "colour", "blue")))
                .hasMessageContaining("colour");
        }

        @Test
        void unknownAlgorithmIsNamed() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "algorithms", "ed25519-sha256, rsa-sha1")))
                .hasMessage("DkimSign: algorithms: 'rsa-sha1' is not ed25519-sha256 or rsa-sha256");
        }

        @Test
        void emptyAlgorithmListIsRefused() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "algorithms", " , ")))
                .hasMessage("DkimSign: algorithms names no algorithm");
        }

        @Test
        void fromMustStayOverSigned() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "overSignedHeaders", "To, Subject")))
                .hasMessage("DkimSign: overSignedHeaders must include From (RFC 6376 §5.4)");
        }

        @Test
        void headerNamesAreChecked() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "signedHeaders", "List-Id, Bad Name")))
                .hasMessage("DkimSign: signedHeaders: 'Bad Name' is not a header field name");
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "signedHeaders", "DKIM-Signature")))
                .hasMessage("DkimSign: signedHeaders: DKIM-Signature cannot be signed");
        }

        @Test
        void expirationMustBeADurationOfAtLeastTenMinutes() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "expiration", "soon")))
                .hasMessage("DkimSign: expiration: 'soon' is neither 'none' nor a duration such as 7d");
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "expiration", "1m")))
                .hasMessageStartingWith("DkimSign: expiration of 1m is too short");
        }

        @Test
        void convertTo7BitIsABoolean() {
            assertThatThrownBy(() -> mailet(Map.of("authservId", AUTHSERV_ID, "convertTo7Bit", "maybe")))
                .hasMessage("DkimSign: convertTo7Bit must be true or false, got 'maybe'");
        }
    }

    @Nested
    class Service {
        @BeforeEach
        void setUp() throws Exception {
            mailet = mailet(Map.of("authservId", AUTHSERV_ID));
        }

        @Test
        void mailFromALocalDomainGetsBothSignaturesOnTop() throws Exception {
            Mail mail = mail(MESSAGE);

            mailet.service(mail);

            // on top of the fields that were there (JavaMail may put fields it sets itself, such as
            // MIME-Version, back in their parsed place: harmless, DKIM does not depend on it)
            List<String> lines = Collections.list(mail.getMessage().getAllHeaderLines());
            int from = lines.indexOf(lines.stream().filter(line -> line.startsWith("From:")).findFirst().orElseThrow());
            assertThat(lines.subList(0, from)).filteredOn(line -> line.startsWith("DKIM-Signature:")).hasSize(2);
            assertThat(lines.stream().filter(line -> line.startsWith("DKIM-Signature:"))).first().asString()
                .startsWith("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;").contains("d=diegonmarcos.com;", "s=202611e;");
            assertThat(lines.stream().filter(line -> line.startsWith("DKIM-Signature:")).skip(1)).first().asString()
                .startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;").contains("d=diegonmarcos.com;", "s=202611r;");
            assertThat(verify(bytes(mail.getMessage()))).containsExactly("pass 202611e", "pass 202611r");
            assertThat(mail.getAttribute(DkimSign.SIGNED).map(attribute -> (Object) attribute.getValue().value()))
                .contains(List.of(AttributeValue.of("202611e"), AttributeValue.of("202611r")));
        }

        @Test
        void algorithmsParameterChoosesTheSignatures() throws Exception {
            mailet = mailet(Map.of("authservId", AUTHSERV_ID, "algorithms", "rsa-sha256"));
            Mail mail = mail(MESSAGE);

            mailet.service(mail);

            assertThat(verify(bytes(mail.getMessage()))).containsExactly("pass 202611r");
        }

        @Test
        void mailFromAnotherDomainIsLeftAlone() throws Exception {
            Mail mail = mail(MESSAGE.replace("diego@diegonmarcos.com", "someone@example.net"));

            mailet.service(mail);

            assertThat(mail.getMessage().getHeader("DKIM-Signature")).isNull();
            assertThat(mail.getAttribute(DkimSign.SIGNED)).isEmpty();
        }

        @Test
        void mailWithoutUsableFromIsLeftAlone() throws Exception {
            Mail noFrom = mail(MESSAGE.replace("From: Diego <diego@diegonmarcos.com>\r\n", ""));
            Mail garbage = mail(MESSAGE.replace("Diego <diego@diegonmarcos.com>", "<<<@@>"));

            mailet.service(noFrom);
            mailet.service(garbage);

            assertThat(noFrom.getMessage().getHeader("DKIM-Signature")).isNull();
            assertThat(garbage.getMessage().getHeader("DKIM-Signature")).isNull();
        }

        @Test
        void mailThatCameInFromOutsideIsNeverSigned() throws Exception {
            Mail forwarded = mail("Authentication-Results: mail.diegonmarcos.com;\r\n\tdkim=none\r\n"
                + MESSAGE.replace("Diego <diego@diegonmarcos.com>", "spoofed@diegonmarcos.com"));

            mailet.service(forwarded);

            assertThat(forwarded.getMessage().getHeader("DKIM-Signature")).isNull();
        }

        @Test
        void someoneElsesAuthenticationResultsDoNotPreventSigning() throws Exception {
            Mail mail = mail("Authentication-Results: mx.example.net; dkim=pass\r\n" + MESSAGE);

            mailet.service(mail);

            assertThat(mail.getMessage().getHeader("DKIM-Signature")).hasSize(2);
        }

        @Test
        void eightBitBodyIsConvertedBeforeSigning() throws Exception {
            Mail mail = mail(MESSAGE);

            mailet.service(mail);

            String signed = new String(bytes(mail.getMessage()), StandardCharsets.ISO_8859_1);
            assertThat(signed).contains("Content-Transfer-Encoding: quoted-printable").contains("Ol=C3=A1");
            assertThat(signed.chars()).allSatisfy(c -> assertThat(c).isLessThan(128));
        }

        @Test
        void eightBitBodyIsSignedAsIsWhenConversionIsOff() throws Exception {
            mailet = mailet(Map.of("authservId", AUTHSERV_ID, "convertTo7Bit", "false"));
            Mail mail = mail(MESSAGE);

            mailet.service(mail);

            assertThat(new String(bytes(mail.getMessage()), StandardCharsets.ISO_8859_1)).contains("Content-Transfer-Encoding: 8bit");
            assertThat(verify(bytes(mail.getMessage()))).containsExactly("pass 202611e", "pass 202611r");
        }
    }

    /** What James does to a message after DkimSign must not break the signatures. */
    @Nested
    class LaterSteps {
        @BeforeEach
        void setUp() throws Exception {
            mailet = mailet(Map.of("authservId", AUTHSERV_ID));
        }

        @Test
        void messageWithoutDateMessageIdOrMimeVersionGetsThemBeforeSigning() throws Exception {
            Mail mail = mail("From: diego@diegonmarcos.com\r\nTo: alice@example.org\r\nSubject: bare\r\n\r\nbody\r\n");

            mailet.service(mail);
            MimeMessage message = mail.getMessage();
            message.saveChanges();

            assertThat(message.getHeader("Message-ID")).hasSize(1);
            assertThat(message.getHeader("Date")).hasSize(1);
            assertThat(verify(bytes(message))).containsExactly("pass 202611e", "pass 202611r");
        }

        @Test
        void localDeliveryHeadersAndStorageRoundTripKeepThemValid() throws Exception {
            Mail mail = mail(MESSAGE);
            mailet.service(mail);
            MimeMessage message = mail.getMessage();

            // AddDeliveredToHeader / LocalDelivery add trace fields; the store keeps the bytes; IMAP serves them
            message.addHeader("Delivered-To", "alice@example.org");
            message.setHeader("Return-Path", "<diego@diegonmarcos.com>");
            message.saveChanges();
            MimeMessage stored = james(new String(bytes(message), StandardCharsets.ISO_8859_1));

            assertThat(verify(bytes(stored))).containsExactly("pass 202611e", "pass 202611r");
        }

        @Test
        void remoteDeliveryTo7BitOnlyServerKeepsThemValid() throws Exception {
            Mail mail = mail(MESSAGE);
            mailet.service(mail);
            MimeMessage queued = james(new String(bytes(mail.getMessage()), StandardCharsets.ISO_8859_1));

            // what RemoteDelivery does for a server without 8BITMIME
            new Converter7Bit(FakeMailContext.defaultContext()).convertTo7Bit(queued);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            queued.writeTo(wire, new String[] {"Bcc", "Content-Length"});

            assertThat(verify(wire.toByteArray())).containsExactly("pass 202611e", "pass 202611r");
        }

        @Test
        void multipartEightBitMessageSurvivesRemoteDeliveryConversion() throws Exception {
            String multipart = "From: diego@diegonmarcos.com\r\nTo: alice@example.org\r\nSubject: parts\r\n"
                + "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m2@diegonmarcos.com>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nOl\u00c3\u00a1\r\n"
                + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b1--\r\n";
            Mail mail = mail(multipart);
            mailet.service(mail);
            MimeMessage queued = james(new String(bytes(mail.getMessage()), StandardCharsets.ISO_8859_1));

            new Converter7Bit(FakeMailContext.defaultContext()).convertTo7Bit(queued);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            queued.writeTo(wire, new String[] {"Bcc", "Content-Length"});

            assertThat(verify(bytes(mail.getMessage()))).containsExactly("pass 202611e", "pass 202611r");
            assertThat(verify(wire.toByteArray())).containsExactly("pass 202611e", "pass 202611r");
        }

        @Test
        void tamperingAfterSigningIsDetected() throws Exception {
            Mail mail = mail(MESSAGE);
            mailet.service(mail);
            String signed = new String(bytes(mail.getMessage()), StandardCharsets.ISO_8859_1);

            List<String> results = verify(signed.replace("va?", "va!").getBytes(StandardCharsets.ISO_8859_1));

            assertThat(results).containsExactly("fail 202611e body hash did not verify", "fail 202611r body hash did not verify");
        }
    }

}
