package com.diegonmarcos.mailpack.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DkimVerifierTest {
    static final Instant NOW = DkimSignerTest.NOW;
    static final String MESSAGE = DkimSignerTest.MESSAGE;
    static final SigningKey ED25519 = DkimSignerTest.ED25519;
    static final SigningKey RSA = DkimSignerTest.RSA;
    static final String ED_NAME = "202611e._domainkey.diegonmarcos.com";
    static final String RSA_NAME = "202611r._domainkey.diegonmarcos.com";

    final Map<String, String> dns = new HashMap<>(Map.of(ED_NAME, ED25519.txtRecord(), RSA_NAME, RSA.txtRecord()));

    List<DkimResult> verify(String message) throws Exception {
        return verify(message, DkimVerifier.PartialBody.POLICY, 1024, 5);
    }

    List<DkimResult> verify(String message, DkimVerifier.PartialBody partialBody, int minRsaBits, int maxSignatures) throws Exception {
        return new DkimVerifier(FakeDns.of(dns), maxSignatures, partialBody, Duration.ofMinutes(5), minRsaBits)
            .verify(MessageWriter.of(message.getBytes(StandardCharsets.ISO_8859_1)), NOW).results();
    }

    static List<String> summary(List<DkimResult> results) {
        return results.stream().map(result -> result.result().token() + (result.reason().isEmpty() ? "" : " (" + result.reason() + ")"))
            .collect(Collectors.toList());
    }

    @Nested
    class Results {
        @Test
        void noSignatureGivesNoResult() throws Exception {
            assertThat(verify(MESSAGE)).isEmpty();
        }

        @Test
        void eachSignatureGetsItsOwnResult() throws Exception {
            dns.put(RSA_NAME, "v=DKIM1; k=rsa; p=");

            List<DkimResult> results = verify(DkimSignerTest.signed(MESSAGE));

            assertThat(summary(results)).containsExactly("pass", "permerror (key revoked)");
            assertThat(results.get(0).domain()).hasValue("diegonmarcos.com");
            assertThat(results.get(0).selector()).hasValue("202611e");
            assertThat(results.get(0).algorithm()).hasValue("ed25519-sha256");
            assertThat(results.get(0).auid()).hasValue("@diegonmarcos.com");
            assertThat(results.get(0).signaturePrefix().orElseThrow()).hasSize(8);
        }

        @Test
        void dnsFailureIsTemperror() throws Exception {
            dns.put(ED_NAME, "TEMPFAIL");

            assertThat(summary(verify(DkimSignerTest.signed(MESSAGE))).get(0))
                .isEqualTo("temperror (key lookup failed: " + ED_NAME + " TXT: timed out)");
        }

        @Test
        void missingKeyIsPermerrorNeverNone() throws Exception {
            dns.remove(ED_NAME);

            assertThat(summary(verify(DkimSignerTest.signed(MESSAGE))).get(0)).isEqualTo("permerror (no key for signature)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"v=DKIM1; k=ed25519; p=garbage!!", "v=DKIM1; k=ed25519; p=AAAA", "v=DKIM2; k=ed25519; p=AAAA",
            "k=ed25519; v=DKIM1; p=AAAA", "v=DKIM1; k=ed25519", "v=DKIM1; k=ed25519; p=a; p=b", "v=DKIM1; k=dsa; p=AAAA",
            "v=DKIM1; k=ed25519; s=web; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "\u00ff\u00fe", ""})
        void badKeyRecordIsPermerror(String record) throws Exception {
            dns.put(ED_NAME, record);

            assertThat(verify(DkimSignerTest.signed(MESSAGE)).get(0).result()).isEqualTo(AuthResult.PERMERROR);
        }

        @Test
        void keyOfTheWrongTypeIsPermerror() throws Exception {
            dns.put(ED_NAME, RSA.txtRecord());

            assertThat(summary(verify(DkimSignerTest.signed(MESSAGE))).get(0))
                .isEqualTo("permerror (key type rsa does not match a=ed25519-sha256)");
        }

        @Test
        void keyThatDoesNotAllowSha256IsPermerror() throws Exception {
            dns.put(RSA_NAME, RSA.txtRecord().replace("k=rsa;", "k=rsa; h=sha1;"));

            assertThat(summary(verify(DkimSignerTest.signed(MESSAGE))).get(1)).isEqualTo("permerror (key record h= does not allow sha256)");
        }

        @Test
        void testingFlagIsReported() throws Exception {
            dns.put(ED_NAME, ED25519.txtRecord().replace("k=ed25519;", "k=ed25519; t=y;"));

            DkimResult result = verify(DkimSignerTest.signed(MESSAGE)).get(0);

            assertThat(result.result()).isEqualTo(AuthResult.PASS);
            assertThat(result.testing()).isTrue();
            assertThat(result.reason()).isEqualTo("testing");
        }

        @Test
        void rsaKeyShorterThanTheMinimumIsPolicy() throws Exception {
            assertThat(summary(verify(DkimSignerTest.signed(MESSAGE), DkimVerifier.PartialBody.POLICY, 4096, 5)).get(1))
                .isEqualTo("policy (RSA key of 2048 bits is too short)");
        }

        @Test
        void rsaSha1IsNeutral() throws Exception {
            String message = DkimSignerTest.signed(MESSAGE).replaceFirst("a=rsa-sha256", "a=rsa-sha1");

            assertThat(summary(verify(message)).get(1)).isEqualTo("neutral (rsa-sha1 is not accepted (RFC 8301))");
        }

        @Test
        void signaturesBeyondTheLimitAreNotEvaluated() throws Exception {
            List<String> fields = DkimSignerTest.sign(MESSAGE);
            String many = String.join("\r\n", fields) + "\r\n" + String.join("\r\n", fields) + "\r\n" + String.join("\r\n", fields)
                + "\r\n" + MESSAGE;

            DkimVerifier.Verdict verdict = new DkimVerifier(FakeDns.of(dns), 5, DkimVerifier.PartialBody.POLICY,
                Duration.ofMinutes(5), 1024).verify(MessageWriter.of(many.getBytes(StandardCharsets.ISO_8859_1)), NOW);

            assertThat(verdict.results()).hasSize(5).allSatisfy(result -> assertThat(result.result()).isEqualTo(AuthResult.PASS));
            assertThat(verdict.ignoredSignatures()).isEqualTo(1);
        }
    }

    @Nested
    class Time {
        @Test
        void expiredSignatureFails() throws Exception {
            String message = ManualSignature.ed25519().timestamp(NOW.minus(Duration.ofDays(8))).expiration(NOW.minusSeconds(1)).sign(MESSAGE);

            assertThat(summary(verify(message))).containsExactly("fail (signature expired)");
        }

        @Test
        void signatureFromTheFutureFails() throws Exception {
            String message = ManualSignature.ed25519().timestamp(NOW.plus(Duration.ofHours(1))).sign(MESSAGE);

            assertThat(summary(verify(message))).containsExactly("fail (signature dated in the future)");
        }

        @Test
        void smallClockSkewIsTolerated() throws Exception {
            String message = ManualSignature.ed25519().timestamp(NOW.plus(Duration.ofMinutes(2))).expiration(NOW.plus(Duration.ofDays(1))).sign(MESSAGE);

            assertThat(summary(verify(message))).containsExactly("pass");
        }
    }

    @Nested
    class BodyLength {
        String body() {
            return MESSAGE.substring(MESSAGE.indexOf("\r\n\r\n") + 4);
        }

        long canonicalLength() {
            return DkimVectorsTest.canonicalBody(Canonicalization.RELAXED, body().getBytes(StandardCharsets.ISO_8859_1)).length();
        }

        @Test
        void unsignedContentAppendedAfterLIsAPolicyFailure() throws Exception {
            String signed = ManualSignature.ed25519().bodyLength(canonicalLength()).sign(MESSAGE);
            String appended = signed + "Click here: http://evil.example/\r\n";

            assertThat(summary(verify(signed))).containsExactly("pass");
            assertThat(summary(verify(appended))).singleElement().asString()
                .startsWith("policy (l=" + canonicalLength() + " signs " + canonicalLength() + " of ");
        }

        @Test
        void partialBodiesCanBeAcceptedButStayRecorded() throws Exception {
            String appended = ManualSignature.ed25519().bodyLength(canonicalLength()).sign(MESSAGE) + "more\r\n";

            List<DkimResult> results = verify(appended, DkimVerifier.PartialBody.ACCEPT, 1024, 5);

            assertThat(results.get(0).result()).isEqualTo(AuthResult.PASS);
            assertThat(results.get(0).reason()).contains("signs " + canonicalLength() + " of");
            assertThat(results.get(0).bodyLength()).hasValue(canonicalLength());
        }

        @Test
        void lLongerThanTheBodyFails() throws Exception {
            String message = ManualSignature.ed25519().bodyLength(canonicalLength() + 10).sign(MESSAGE);

            assertThat(summary(verify(message))).containsExactly("fail (l= is longer than the body)");
        }
    }

    @Nested
    class HostileSignatures {
        @ParameterizedTest
        @ValueSource(strings = {
            "v=1; a=ed25519-sha256; a=rsa-sha256; d=diegonmarcos.com; s=202611e; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=from; bh=AAAA; b=not*base64",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=subject; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com\r; s=202611e; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com\n; s=202611e; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=from; bh=AAAA; b=AAAA; i=x@evil.example",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com\"; dkim=pass; s=202611e; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=../../etc; s=202611e; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=a..b; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=from; bh=AAAA; b=AAAA; l=-1",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=from; bh=AAAA; b=AAAA; t=20; x=10",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=from; bh=AAAA; b=AAAA; q=http",
            "v=2; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=from; bh=AAAA; b=AAAA; c=fancy/relaxed",
            "v=1; a=ed25519-sha256; d=dieg\u00f6nmarcos.com; s=202611e; h=from; bh=AAAA; b=AAAA",
            "v=1; 1a=x; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=from; bh=AAAA; b=AAAA",
            "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=from::to; bh=AAAA; b=AAAA",
            "garbage without any tags",
            ";;;;",
            "",
            "=",
        })
        void malformedSignaturesAreNeutralAndSayWhy(String value) throws Exception {
            List<DkimResult> results = verify("DKIM-Signature: " + value + "\r\n" + MESSAGE);

            assertThat(results).singleElement().satisfies(result -> {
                assertThat(result.result()).isEqualTo(AuthResult.NEUTRAL);
                assertThat(result.reason()).startsWith("malformed signature");
                result.domain().ifPresent(domain -> assertThat(domain).matches("[A-Za-z0-9._-]+"));
            });
        }

        @Test
        void hugeSignatureFieldIsRefusedWithoutWork() throws Exception {
            String huge = "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=" + "from:".repeat(40_000) + "from; bh=AAAA; b=AAAA";

            assertThat(summary(verify("DKIM-Signature: " + huge + "\r\n" + MESSAGE)))
                .containsExactly("neutral (malformed signature: signature field longer than 16384 characters)");
        }

        @Test
        void tooManySignedFieldsAreRefused() throws Exception {
            String many = "v=1; a=ed25519-sha256; d=diegonmarcos.com; s=202611e; h=" + "from:".repeat(300) + "from; bh=AAAA; b=AAAA";

            assertThat(summary(verify("DKIM-Signature: " + many + "\r\n" + MESSAGE)))
                .containsExactly("neutral (malformed signature: h= names more than 256 fields)");
        }

        @Test
        void hugeHeaderSectionIsAPermerrorNotAnException() throws Exception {
            String header = ("X-Filler: " + "a".repeat(1000) + "\r\n").repeat(5000);

            assertThat(summary(verify(header + DkimSignerTest.signed(MESSAGE)))).containsExactly("permerror (header section too large to verify)");
        }

        @Test
        void validSignatureNextToHostileOnesStillPasses() throws Exception {
            String message = "DKIM-Signature: v=1; v=1\r\n" + DkimSignerTest.signed(MESSAGE);

            assertThat(verify(message)).extracting(DkimResult::result)
                .containsExactly(AuthResult.NEUTRAL, AuthResult.PASS, AuthResult.PASS);
        }
    }

    /** A hand-made ed25519 signature with the tags the signer does not write (l=, x=, t= in the future). */
    static final class ManualSignature {
        private Instant timestamp = NOW;
        private Instant expiration;
        private long bodyLength = -1;

        static ManualSignature ed25519() {
            return new ManualSignature();
        }

        ManualSignature timestamp(Instant value) {
            timestamp = value;
            return this;
        }

        ManualSignature expiration(Instant value) {
            expiration = value;
            return this;
        }

        ManualSignature bodyLength(long value) {
            bodyLength = value;
            return this;
        }

        String sign(String message) throws Exception {
            int split = message.indexOf("\r\n\r\n");
            List<HeaderField> header = HeaderField.parse(message.substring(0, split + 2));
            byte[] body = message.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1);
            BodyHash hash = new BodyHash(Canonicalization.RELAXED, bodyLength);
            hash.write(body, 0, body.length);
            String unsigned = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=diegonmarcos.com; s=202611e;"
                + " t=" + timestamp.getEpochSecond() + ";" + (expiration == null ? "" : " x=" + expiration.getEpochSecond() + ";")
                + (bodyLength < 0 ? "" : " l=" + bodyLength + ";")
                + " h=from:to:subject; bh=" + Base64.getEncoder().encodeToString(hash.finish()) + "; b=";
            String fields = HeaderSelection.canonicalize(header, List.of("from", "to", "subject"), Canonicalization.RELAXED);
            String self = Canonicalization.RELAXED.header(HeaderField.of(unsigned));
            byte[] data = (fields + self.substring(0, self.length() - 2)).getBytes(StandardCharsets.ISO_8859_1);
            return unsigned + Base64.getEncoder().encodeToString(ED25519.sign(data)) + "\r\n" + message;
        }
    }
}
