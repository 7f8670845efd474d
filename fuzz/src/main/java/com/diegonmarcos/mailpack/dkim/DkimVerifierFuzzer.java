package com.diegonmarcos.mailpack.dkim;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.FieldChecks;
import com.diegonmarcos.mailpack.fuzz.Violation;
import com.diegonmarcos.mailpack.fuzz.ZoneDns;

/**
 * The DKIM verifier on a whole message ({@link DkimVerifier#verify}), with an in-memory DNS. The
 * input is the message as received; lines in it of the form {@code X-Dns: <name> <TYPE> <value>}
 * add DNS answers (so the fuzzer controls the key records too), beside fixed ones: the RFC 8463
 * keys of {@code football.example.com} (the seeds include the RFC's signed message) and our
 * ed25519 test key {@code fz._domainkey.example.org}.
 *
 * <p>Contract: verify returns a verdict (its class: "nothing here throws for anything a message or
 * DNS may contain"), at most {@value #MAX_SIGNATURES} results, and the Authentication-Results field
 * made of them is printable, folded only, and ours. Round trip: the message signed by
 * {@link DkimSigner} with the test key (as DkimSign does on 587) and then verified gives
 * {@code pass} for that signature.
 */
public final class DkimVerifierFuzzer {
    private static final int MAX_SIGNATURES = 5;
    private static final Instant NOW = Instant.ofEpochSecond(1528637909L + 60);
    private static final SigningKey KEY = SigningKey.ed25519("fz", new byte[32]);
    private static final DkimSigner SIGNER = DkimSigner.withDefaults();

    private DkimVerifierFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("DKIM verify", data, DkimVerifierFuzzer::test);
    }

    static void test(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        ZoneDns dns = zone(text);
        DkimVerifier verifier = new DkimVerifier(dns, MAX_SIGNATURES, DkimVerifier.PartialBody.POLICY, Duration.ofMinutes(5), 1024);

        DkimVerifier.Verdict verdict = verifier.verify(MessageWriter.of(data), NOW);
        Violation.check(verdict.results().size() <= MAX_SIGNATURES, () -> verdict.results().size() + " results");
        FieldChecks.authenticationResults(AuthenticationResults.value(DkimSignatureFuzzer.AUTHSERV_ID, verdict.results()),
            DkimSignatureFuzzer.AUTHSERV_ID, text);

        List<String> signatures = SIGNER.sign(MessageWriter.of(data), "example.org", List.of(KEY), NOW);
        Violation.check(signatures.size() == 1, () -> "the signer made " + signatures.size() + " signatures");
        if (data.length > 0 && (data[0] == ' ' || data[0] == '\t')) {
            return; // a message that starts with a continuation line would continue our field
        }
        byte[] field = (signatures.get(0) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] signed = new byte[field.length + data.length];
        System.arraycopy(field, 0, signed, 0, field.length);
        System.arraycopy(data, 0, signed, field.length, data.length);
        DkimVerifier ours = new DkimVerifier(zone(text), 1, DkimVerifier.PartialBody.POLICY, Duration.ofMinutes(5), 1024);
        DkimResult result = ours.verify(MessageWriter.of(signed), NOW).results().get(0);
        Violation.check(result.result() == AuthResult.PASS && result.selector().orElse("").equals("fz"),
            () -> "our own signature does not verify: " + result + " on " + Violation.show(text));
    }

    private static ZoneDns zone(String text) {
        ZoneDns dns = new ZoneDns();
        dns.put("brisbane._domainkey.football.example.com", "TXT", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
        dns.put("test._domainkey.football.example.com", "TXT", "v=DKIM1; k=rsa; "
            + "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/"
            + "BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
        dns.put("fz._domainkey.example.org", "TXT", KEY.txtRecord());
        int from = 0;
        while ((from = text.indexOf("X-Dns: ", from)) >= 0) {
            int end = text.indexOf('\n', from);
            String line = text.substring(from + "X-Dns: ".length(), end < 0 ? text.length() : end).replace("\r", "");
            String[] parts = line.split(" ", 3);
            if (parts.length == 3 && !parts[0].equalsIgnoreCase("fz._domainkey.example.org")) {
                dns.put(parts[0], parts[1], parts[2]);
            }
            from += 7;
        }
        return dns;
    }
}
