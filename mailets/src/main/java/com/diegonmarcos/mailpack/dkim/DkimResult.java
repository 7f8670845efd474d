package com.diegonmarcos.mailpack.dkim;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The verdict on one DKIM-Signature field: what DMARC needs (d=, s=, a=, result) and what a human
 * needs (reason). Fields that could not be read from a malformed signature are empty.
 *
 * @param result the RFC 8601 token
 * @param domain d= (SDID)
 * @param selector s=
 * @param algorithm a= as written
 * @param auid i=, or "@" + d=
 * @param signaturePrefix the first characters of b= (header.b, RFC 6008)
 * @param reason why it is not a plain pass ("" for a plain pass)
 * @param testing the key record says t=y
 * @param bodyLength l= when the signature has one
 */
public record DkimResult(AuthResult result, Optional<String> domain, Optional<String> selector, Optional<String> algorithm,
                         Optional<String> auid, Optional<String> signaturePrefix, String reason, boolean testing,
                         OptionalLong bodyLength) {

    static DkimResult of(AuthResult result, DkimSignature signature, String reason, boolean testing) {
        return new DkimResult(result, Optional.of(signature.domain()), Optional.of(signature.selector()),
            Optional.of(signature.algorithmName()), Optional.of(signature.auid()), Optional.of(signature.signaturePrefix()),
            reason, testing, signature.bodyLength());
    }

    /** A field that did not even parse: what could be read of it, and why. */
    static DkimResult malformed(AuthResult result, HeaderField field, String reason) {
        return new DkimResult(result,
            DkimSignature.bestEffortTag(field, "d").filter(DkimResult::safe),
            DkimSignature.bestEffortTag(field, "s").filter(DkimResult::safe),
            DkimSignature.bestEffortTag(field, "a").filter(DkimResult::safe),
            Optional.empty(), Optional.empty(), reason, false, OptionalLong.empty());
    }

    /** Values from a field that failed to parse are echoed only when they are plain tokens. */
    private static boolean safe(String value) {
        return value.length() <= 64 && value.matches("[A-Za-z0-9._-]+");
    }
}
