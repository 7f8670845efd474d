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
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;


/** The protocol vectors in src/test/resources/vectors/dkim/, each naming its source. */
class DkimVectorsTest {

    static Stream<Vector> messages() {
        return Vector.all(".vector").filter(vector -> vector.has("now"));
    }

    static Stream<Vector> seeded() {
        return Vector.all(".vector").filter(vector -> vector.has("ed25519-seed"));
    }

    static Stream<Vector> canonicalizations() {
        return Vector.all(".vector").filter(vector -> vector.hasSection("input"));
    }

    static Stream<Vector> bodyHashes() {
        return Vector.all(".vector").filter(vector -> vector.has("bh"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void signedMessagesGiveTheExpectedResults(Vector vector) throws Exception {
        Map<String, String> records = new HashMap<>();
        for (String dns : vector.values("dns")) {
            int space = dns.indexOf(' ');
            records.put(dns.substring(0, space), dns.substring(space + 1));
        }
        DkimVerifier verifier = new DkimVerifier(FakeDns.of(records), 5, DkimVerifier.PartialBody.POLICY, Duration.ofMinutes(5), 1024);

        List<DkimResult> results = verifier.verify(MessageWriter.of(vector.crlf("message").getBytes(StandardCharsets.ISO_8859_1)),
            Instant.ofEpochSecond(Long.parseLong(vector.value("now")))).results();

        assertThat(results.stream().map(DkimVectorsTest::describe).collect(Collectors.toList()))
            .containsExactlyElementsOf(vector.values("expect"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeded")
    void ed25519SignatureIsReproducedFromTheSecretKey(Vector vector) throws Exception {
        String[] seed = vector.value("ed25519-seed").split(" ");
        SigningKey key = SigningKey.ed25519(seed[0], Base64.getDecoder().decode(seed[1]));
        String message = vector.crlf("message");
        List<HeaderField> header = HeaderField.parse(message.substring(0, message.indexOf("\r\n\r\n") + 2));
        DkimSignature signature = header.stream().filter(field -> field.hasName("DKIM-Signature"))
            .map(DkimVectorsTest::parse).filter(parsed -> parsed.selector().equals(seed[0])).findFirst().orElseThrow();

        String fields = HeaderSelection.canonicalize(header, signature.signedFields(), signature.headerCanonicalization());
        String self = signature.headerCanonicalization().header(signature.withEmptySignature());
        byte[] data = (fields + self.substring(0, self.length() - 2)).getBytes(StandardCharsets.ISO_8859_1);

        assertThat(vector.values("dns")).anySatisfy(record -> assertThat(record).endsWith("p=" + key.publicKeyBase64()));
        assertThat(key.sign(data)).isEqualTo(signature.signature());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canonicalizations")
    void canonicalizationMatchesTheRfcExample(Vector vector) {
        String input = vector.rfcNotation("input");
        int split = input.indexOf("\r\n\r\n");
        List<HeaderField> header = HeaderField.parse(input.substring(0, split + 2));
        byte[] body = input.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1);

        for (Canonicalization canonicalization : Canonicalization.values()) {
            String name = canonicalization.tagValue();
            assertThat(header.stream().map(canonicalization::header).collect(Collectors.joining()))
                .as(name + " header").isEqualTo(vector.rfcNotation(name + "-header"));
            assertThat(canonicalBody(canonicalization, body)).as(name + " body").isEqualTo(vector.rfcNotation(name + "-body"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyHashes")
    void bodyHashMatches(Vector vector) throws Exception {
        byte[] body = vector.crlf("body").getBytes(StandardCharsets.ISO_8859_1);
        BodyHash hash = new BodyHash(Canonicalization.parse(vector.value("body-canonicalization")), -1);
        hash.write(body, 0, body.length);

        assertThat(Base64.getEncoder().encodeToString(hash.finish())).isEqualTo(vector.value("bh"));
    }

    static String canonicalBody(Canonicalization canonicalization, byte[] body) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        BodyCanonicalizer canonicalizer = canonicalization.body(out::write);
        canonicalizer.write(body, 0, body.length);
        canonicalizer.finish();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static String describe(DkimResult result) {
        return String.join(" ", result.result().token(), result.domain().orElse("-"), result.selector().orElse("-"),
            result.algorithm().orElse("-"));
    }

    private static DkimSignature parse(HeaderField field) {
        try {
            return DkimSignature.parse(field);
        } catch (DkimFormatException e) {
            throw new AssertionError(e);
        }
    }
}
