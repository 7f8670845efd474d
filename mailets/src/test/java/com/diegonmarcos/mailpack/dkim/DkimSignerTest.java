package com.diegonmarcos.mailpack.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.PublicKeyRecordRetriever;
import org.apache.james.jdkim.api.SignatureRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DkimSignerTest {
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    static final String DOMAIN = "diegonmarcos.com";
    static final String MESSAGE = "From: Diego <diego@diegonmarcos.com>\r\n"
        + "To: Alice <alice@example.org>\r\n"
        + "Subject: a   subject\r\n"
        + "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
        + "Message-ID: <1@diegonmarcos.com>\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + "Received: from somewhere\r\n"
        + "\r\n"
        + "Hello Alice,\r\n\r\n  two spaces and a trailing one \r\nbye\r\n\r\n\r\n";

    static final SigningKey ED25519 = TestKeys.ed25519("202611e");
    static final SigningKey RSA = TestKeys.rsa("202611r");

    static List<String> sign(String message) throws Exception {
        return DkimSigner.withDefaults().sign(MessageWriter.of(message.getBytes(StandardCharsets.ISO_8859_1)), DOMAIN,
            List.of(ED25519, RSA), NOW);
    }

    static String signed(String message) throws Exception {
        return String.join("\r\n", sign(message)) + "\r\n" + message;
    }

    static DkimVerifier ourVerifier() {
        return new DkimVerifier(FakeDns.of(Map.of(
            "202611e._domainkey." + DOMAIN, ED25519.txtRecord(),
            "202611r._domainkey." + DOMAIN, RSA.txtRecord())), 5, DkimVerifier.PartialBody.POLICY, Duration.ofMinutes(5), 1024);
    }

    static List<String> verify(String message) throws Exception {
        return ourVerifier().verify(MessageWriter.of(message.getBytes(StandardCharsets.ISO_8859_1)), NOW).results().stream()
            .map(result -> result.result().token() + " " + result.selector().orElse("-") + (result.reason().isEmpty() ? "" : " " + result.reason()))
            .collect(Collectors.toList());
    }

    @Nested
    class Signatures {
        @Test
        void bothSignaturesVerify() throws Exception {
            assertThat(verify(signed(MESSAGE))).containsExactly("pass 202611e", "pass 202611r");
        }

        @Test
        void ed25519ComesFirstThenRsaWithTheSameBodyHashAndHeaderList() throws Exception {
            List<DkimSignature> signatures = parse(sign(MESSAGE));

            assertThat(signatures).extracting(DkimSignature::algorithmName).containsExactly("ed25519-sha256", "rsa-sha256");
            assertThat(signatures.get(0).bodyHash()).isEqualTo(signatures.get(1).bodyHash());
            assertThat(signatures.get(0).signedFields()).isEqualTo(signatures.get(1).signedFields());
            assertThat(signatures).allSatisfy(signature -> {
                assertThat(signature.domain()).isEqualTo(DOMAIN);
                assertThat(signature.headerCanonicalization()).isEqualTo(Canonicalization.RELAXED);
                assertThat(signature.bodyCanonicalization()).isEqualTo(Canonicalization.RELAXED);
                assertThat(signature.timestamp()).hasValue(NOW.getEpochSecond());
                assertThat(signature.expiration()).isEmpty();
            });
        }

        @Test
        void overSignedFieldsAppearOnceMoreThanInTheMessageAndOthersOnlyWhenPresent() throws Exception {
            String withTwoTo = MESSAGE.replace("To: Alice <alice@example.org>\r\n", "To: a@example.org\r\nTo: b@example.org\r\n")
                .replace("Received:", "References: <0@x>\r\nReceived:");

            List<String> h = parse(sign(withTwoTo)).get(0).signedFields().stream().map(String::toLowerCase).collect(Collectors.toList());

            assertThat(h.stream().filter("from"::equals)).hasSize(2);
            assertThat(h.stream().filter("to"::equals)).hasSize(3);
            assertThat(h.stream().filter("cc"::equals)).hasSize(1); // absent: signed as absent
            assertThat(h.stream().filter("reply-to"::equals)).hasSize(1);
            assertThat(h.stream().filter("content-transfer-encoding"::equals)).hasSize(1);
            assertThat(h.stream().filter("references"::equals)).hasSize(1);
            assertThat(h).doesNotContain("in-reply-to", "received", "dkim-signature", "list-id");
        }

        @Test
        void foldedLinesStayShort() throws Exception {
            for (String field : sign(MESSAGE)) {
                assertThat(field.split("\r\n")).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(78));
                assertThat(field).doesNotContain("\n\r").doesNotEndWith("\r\n");
            }
        }

        @Test
        void expirationAddsX() throws Exception {
            DkimSigner signer = new DkimSigner(DkimSigner.DEFAULT_OVER_SIGNED, List.of(), Optional.of(Duration.ofDays(7)));
            List<String> fields = signer.sign(MessageWriter.of(MESSAGE.getBytes(StandardCharsets.ISO_8859_1)), DOMAIN, List.of(ED25519), NOW);

            assertThat(parse(fields).get(0).expiration()).hasValue(NOW.plus(Duration.ofDays(7)).getEpochSecond());
        }

        @Test
        void fromMustBeOverSigned() {
            assertThatThrownBy(() -> new DkimSigner(List.of("To"), List.of(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("From");
        }

        @Test
        void bareLineFeedsAreSignedAsTheCrlfTheyBecomeOnTheWire() throws Exception {
            String lf = MESSAGE.replace("\r\n", "\n");
            String signedLf = String.join("\r\n", sign(lf)) + "\r\n" + lf;

            assertThat(verify(signedLf.replace("\r\n", "\n").replace("\n", "\r\n"))).containsExactly("pass 202611e", "pass 202611r");
        }

        @Test
        void emptyBodyAndHeaderOnlyMessagesAreSigned() throws Exception {
            String headerOnly = MESSAGE.substring(0, MESSAGE.indexOf("\r\n\r\n") + 2);

            assertThat(verify(signed(headerOnly + "\r\n"))).containsExactly("pass 202611e", "pass 202611r");
            assertThat(verify(signed(headerOnly))).containsExactly("pass 202611e", "pass 202611r");
        }
    }

    @Nested
    class Tampering {
        @Test
        void changedBodyFailsBoth() throws Exception {
            assertThat(verify(signed(MESSAGE).replace("Hello Alice", "Hello Mallory")))
                .containsExactly("fail 202611e body hash did not verify", "fail 202611r body hash did not verify");
        }

        @Test
        void changedSubjectFailsBoth() throws Exception {
            assertThat(verify(signed(MESSAGE).replace("a   subject", "another subject")))
                .containsExactly("fail 202611e signature did not verify", "fail 202611r signature did not verify");
        }

        @Test
        void anAddedSecondFromFailsBecauseFromIsOverSigned() throws Exception {
            String signed = signed(MESSAGE);
            String forged = signed.replace("Received: from somewhere\r\n", "Received: from somewhere\r\nFrom: ceo@diegonmarcos.com\r\n");

            assertThat(verify(forged)).containsExactly("fail 202611e signature did not verify", "fail 202611r signature did not verify");
        }

        @Test
        void anAddedCcFailsBecauseItsAbsenceWasSigned() throws Exception {
            String forged = signed(MESSAGE).replace("Received:", "Cc: eve@example.org\r\nReceived:");

            assertThat(verify(forged)).allSatisfy(result -> assertThat(result).startsWith("fail"));
        }

        @Test
        void whitespaceChangesAndAddedTraceFieldsStillPass() throws Exception {
            String relayed = "Received: from mx by relay\r\nReturn-Path: <diego@diegonmarcos.com>\r\n"
                + signed(MESSAGE).replace("Hello Alice,", "Hello   Alice, ").replace("Subject: a   subject", "Subject:  a subject");

            assertThat(verify(relayed)).containsExactly("pass 202611e", "pass 202611r");
        }
    }

    @Nested
    class IndependentVerifier {
        /** Apache jDKIM verifies rsa-sha256 only: it must accept our RSA signature. */
        @Test
        void jdkimVerifiesOurRsaSignature() throws Exception {
            // jDKIM compares t= with the wall clock
            List<String> fields = DkimSigner.withDefaults().sign(MessageWriter.of(MESSAGE.getBytes(StandardCharsets.ISO_8859_1)),
                DOMAIN, List.of(ED25519, RSA), Instant.now());
            String rsaOnly = fields.get(1) + "\r\n" + MESSAGE;
            PublicKeyRecordRetriever dns = (method, selector, token) -> {
                assertThat(selector + "._domainkey." + token).isEqualTo("202611r._domainkey." + DOMAIN);
                return List.of(RSA.txtRecord());
            };

            List<SignatureRecord> passed = new DKIMVerifier(dns).verify(new ByteArrayInputStream(rsaOnly.getBytes(StandardCharsets.ISO_8859_1)));

            assertThat(passed).hasSize(1);
            assertThat(passed.get(0).getSelector().toString()).isEqualTo("202611r");
        }

        @Test
        void jdkimRejectsOurRsaSignatureAfterTampering() {
            PublicKeyRecordRetriever dns = (method, selector, token) -> List.of(RSA.txtRecord());

            assertThatThrownBy(() -> {
                String tampered = (sign(MESSAGE).get(1) + "\r\n" + MESSAGE).replace("bye", "BYE");
                new DKIMVerifier(dns).verify(new ByteArrayInputStream(tampered.getBytes(StandardCharsets.ISO_8859_1)));
            }).isInstanceOf(org.apache.james.jdkim.exceptions.FailException.class);
        }

        @Test
        void publishedRsaKeyIsTheSigningKeysPublicHalf() throws Exception {
            PublicKey published = (PublicKey) DkimKeyRecord.parseForTest(RSA.txtRecord());

            assertThat(published).isEqualTo(TestKeys.RSA.getPublic());
        }
    }

    static List<DkimSignature> parse(List<String> fields) {
        return fields.stream().map(field -> {
            try {
                return DkimSignature.parse(HeaderField.of(field));
            } catch (DkimFormatException e) {
                throw new AssertionError(e);
            }
        }).collect(Collectors.toList());
    }
}
