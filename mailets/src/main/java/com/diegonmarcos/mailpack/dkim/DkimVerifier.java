package com.diegonmarcos.mailpack.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.dns.TxtResult;

/**
 * Verifies every DKIM-Signature of a message (up to a limit), one result each (RFC 6376 §6, results
 * as RFC 8601 tokens):
 *
 * <ul>
 * <li>{@code pass}: key found, body hash and signature verify;</li>
 * <li>{@code fail}: the body hash or the signature does not verify, or the signature expired
 * ({@code x=}) or is dated in the future ({@code t=}, beyond the allowed clock skew);</li>
 * <li>{@code policy}: it verifies, but {@code l=} leaves part of the body unsigned (unless partial
 * bodies are accepted), or the RSA key is shorter than allowed (RFC 8301: 1024 bits);</li>
 * <li>{@code neutral}: the signature field is malformed, or uses an algorithm mailpack does not
 * verify (rsa-sha1, RFC 8301);</li>
 * <li>{@code temperror}: the key could not be looked up (timeout, SERVFAIL);</li>
 * <li>{@code permerror}: no key record, a record that does not parse, a revoked or inapplicable key.</li>
 * </ul>
 * Nothing here throws for anything a message or DNS may contain.
 */
public final class DkimVerifier {
    /** What to make of a valid signature whose {@code l=} covers only part of the body. */
    public enum PartialBody { POLICY, ACCEPT }

    /** A message's header section may not be larger than this to be verified. */
    static final long MAX_HEADER_BYTES = 4L * 1024 * 1024;

    private final DnsClient dns;
    private final int maxSignatures;
    private final PartialBody partialBody;
    private final Duration clockSkew;
    private final int minRsaBits;

    public DkimVerifier(DnsClient dns, int maxSignatures, PartialBody partialBody, Duration clockSkew, int minRsaBits) {
        this.dns = dns;
        this.maxSignatures = maxSignatures;
        this.partialBody = partialBody;
        this.clockSkew = clockSkew;
        this.minRsaBits = minRsaBits;
    }

    /** What a verification found: the results, and how many signatures beyond the limit were ignored. */
    public record Verdict(List<DkimResult> results, int ignoredSignatures) {
    }

    /**
     * @param message writes the message as received
     * @throws IOException only when {@code message} itself fails to write
     */
    public Verdict verify(MessageWriter message, Instant now) throws IOException {
        AtomicReference<List<HeaderField>> header = new AtomicReference<>(List.of());
        Map<String, BodyHash> bodyHashes = new LinkedHashMap<>();
        List<Object> parsed = new ArrayList<>(); // DkimSignature, or DkimResult for a field that did not parse
        int[] ignored = new int[1];
        MessageSplitter splitter = new MessageSplitter(fields -> {
            header.set(fields);
            for (HeaderField field : fields) {
                if (!field.hasName("DKIM-Signature")) {
                    continue;
                }
                if (parsed.size() >= maxSignatures) {
                    ignored[0]++;
                    continue;
                }
                try {
                    DkimSignature signature = DkimSignature.parse(field);
                    parsed.add(signature);
                    bodyHashes.computeIfAbsent(bodyKey(signature), key -> new BodyHash(signature.bodyCanonicalization(),
                        signature.bodyLength().orElse(-1)));
                } catch (DkimFormatException e) {
                    parsed.add(DkimResult.malformed(AuthResult.NEUTRAL, field, "malformed signature: " + e.getMessage()));
                } catch (RuntimeException e) {
                    parsed.add(DkimResult.malformed(AuthResult.NEUTRAL, field, "malformed signature"));
                }
            }
            return (bytes, offset, length) -> bodyHashes.values().forEach(hash -> hash.write(bytes, offset, length));
        }, MAX_HEADER_BYTES);
        try {
            message.writeTo(splitter);
        } catch (MessageSplitter.HeaderTooLargeException e) {
            return new Verdict(List.of(new DkimResult(AuthResult.PERMERROR, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), "header section too large to verify", false, OptionalLong.empty())), 0);
        }
        splitter.close();

        List<DkimResult> results = new ArrayList<>();
        for (Object entry : parsed) {
            if (entry instanceof DkimResult) {
                results.add((DkimResult) entry);
                continue;
            }
            DkimSignature signature = (DkimSignature) entry;
            try {
                results.add(evaluate(signature, header.get(), bodyHashes.get(bodyKey(signature)), now));
            } catch (RuntimeException e) {
                results.add(DkimResult.of(AuthResult.PERMERROR, signature, "cannot evaluate: " + e.getClass().getSimpleName(), false));
            }
        }
        return new Verdict(List.copyOf(results), ignored[0]);
    }

    private DkimResult evaluate(DkimSignature signature, List<HeaderField> header, BodyHash bodyHash, Instant now) {
        if (signature.algorithm().isEmpty()) {
            String reason = signature.algorithmName().equalsIgnoreCase("rsa-sha1")
                ? "rsa-sha1 is not accepted (RFC 8301)" : "unsupported algorithm";
            return DkimResult.of(AuthResult.NEUTRAL, signature, reason, false);
        }
        DkimAlgorithm algorithm = signature.algorithm().get();
        long nowSeconds = now.getEpochSecond();
        if (signature.expiration().isPresent() && signature.expiration().getAsLong() < nowSeconds) {
            return DkimResult.of(AuthResult.FAIL, signature, "signature expired", false);
        }
        if (signature.timestamp().isPresent() && signature.timestamp().getAsLong() > nowSeconds + clockSkew.getSeconds()) {
            return DkimResult.of(AuthResult.FAIL, signature, "signature dated in the future", false);
        }

        String name = signature.selector() + "._domainkey." + signature.domain();
        TxtResult lookup = dns.txt(name);
        switch (lookup.status()) {
            case TEMP_ERROR:
                return DkimResult.of(AuthResult.TEMPERROR, signature, "key lookup failed: " + lookup.detail(), false);
            case NXDOMAIN:
            case NO_DATA:
                return DkimResult.of(AuthResult.PERMERROR, signature, "no key for signature", false);
            case INVALID_NAME:
                return DkimResult.of(AuthResult.PERMERROR, signature, "key name is not a domain name", false);
            default:
                break;
        }
        DkimKeyRecord key = null;
        String keyProblem = null;
        for (String record : lookup.records()) {
            try {
                key = DkimKeyRecord.parse(record);
                break;
            } catch (DkimFormatException e) {
                keyProblem = keyProblem == null ? e.getMessage() : keyProblem;
            }
        }
        if (key == null) {
            return DkimResult.of(AuthResult.PERMERROR, signature, "bad key record: " + keyProblem, false);
        }
        boolean testing = key.testing();
        if (key.revoked()) {
            return DkimResult.of(AuthResult.PERMERROR, signature, "key revoked", testing);
        }
        if (key.algorithm().orElse(null) != algorithm) {
            return DkimResult.of(AuthResult.PERMERROR, signature, "key type " + key.keyType() + " does not match a=" + algorithm.tagValue(), testing);
        }
        if (!key.allowsSha256()) {
            return DkimResult.of(AuthResult.PERMERROR, signature, "key record h= does not allow sha256", testing);
        }
        if (key.strict() && !signature.auid().substring(signature.auid().lastIndexOf('@') + 1).equalsIgnoreCase(signature.domain())) {
            return DkimResult.of(AuthResult.PERMERROR, signature, "key record t=s forbids an i= subdomain", testing);
        }

        byte[] computedBodyHash = bodyHash.finish();
        long canonicalLength = bodyHash.canonicalLength();
        if (signature.bodyLength().isPresent() && signature.bodyLength().getAsLong() > canonicalLength) {
            return DkimResult.of(AuthResult.FAIL, signature, "l= is longer than the body", testing);
        }
        if (!Arrays.equals(computedBodyHash, signature.bodyHash())) {
            return DkimResult.of(AuthResult.FAIL, signature, "body hash did not verify", testing);
        }
        String fields = HeaderSelection.canonicalize(header, signature.signedFields(), signature.headerCanonicalization());
        String self = signature.headerCanonicalization().header(signature.withEmptySignature());
        byte[] data = (fields + self.substring(0, self.length() - 2)).getBytes(StandardCharsets.ISO_8859_1);
        boolean valid;
        try {
            valid = key.verify(algorithm, data, signature.signature());
        } catch (GeneralSecurityException e) {
            valid = false;
        }
        if (!valid) {
            return DkimResult.of(AuthResult.FAIL, signature, "signature did not verify", testing);
        }
        if (key.keyBits() < minRsaBits && algorithm == DkimAlgorithm.RSA_SHA256) {
            return DkimResult.of(AuthResult.POLICY, signature, "RSA key of " + key.keyBits() + " bits is too short", testing);
        }
        if (signature.bodyLength().isPresent() && signature.bodyLength().getAsLong() < canonicalLength) {
            String coverage = "l=" + signature.bodyLength().getAsLong() + " signs " + signature.bodyLength().getAsLong()
                + " of " + canonicalLength + " body octets";
            return DkimResult.of(partialBody == PartialBody.POLICY ? AuthResult.POLICY : AuthResult.PASS, signature, coverage, testing);
        }
        return DkimResult.of(AuthResult.PASS, signature, testing ? "testing" : "", testing);
    }

    private static String bodyKey(DkimSignature signature) {
        return signature.bodyCanonicalization() + "/" + signature.bodyLength().orElse(-1);
    }
}
