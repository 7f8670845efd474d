package com.diegonmarcos.mailpack.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.FieldChecks;
import com.diegonmarcos.mailpack.fuzz.Violation;

/**
 * DKIM-Signature fields ({@link DkimSignature#parse}) as a message brings them: the input is the
 * text after {@code DKIM-Signature:}, one octet per char, split into fields as the verifier does
 * ({@link HeaderField#parse}: folding, bare CR/LF).
 *
 * <p>Contract: parse returns or throws {@link DkimFormatException}, nothing else; a signature that
 * parses is "safe to evaluate" (its class says so): every accessor answers, {@code b=} can be emptied
 * and the emptied field still has the same tags with an empty {@code b=}. The result the verifier
 * would report for it, parsed or malformed, makes an Authentication-Results field that is
 * printable, folded only, and still ours.
 */
public final class DkimSignatureFuzzer {
    static final String AUTHSERV_ID = "mx.diegonmarcos.com";

    private DkimSignatureFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("DKIM-Signature", data, DkimSignatureFuzzer::test);
    }

    static void test(byte[] data) throws Exception {
        String value = new String(data, StandardCharsets.ISO_8859_1);
        List<DkimResult> results = new ArrayList<>();
        for (HeaderField field : HeaderField.parse("DKIM-Signature:" + value)) {
            if (!field.hasName("DKIM-Signature")) {
                continue;
            }
            DkimSignature signature;
            try {
                signature = DkimSignature.parse(field);
            } catch (DkimFormatException e) {
                results.add(DkimResult.malformed(AuthResult.NEUTRAL, field, "malformed signature: " + e.getMessage()));
                continue;
            }
            check(signature);
            results.add(DkimResult.of(AuthResult.PASS, signature, "", false));
        }
        FieldChecks.authenticationResults(AuthenticationResults.value(AUTHSERV_ID, results), AUTHSERV_ID, value);
    }

    private static void check(DkimSignature signature) throws DkimFormatException {
        signature.algorithm();
        signature.signature();
        signature.bodyHash();
        signature.headerCanonicalization();
        signature.bodyCanonicalization();
        Violation.check(!signature.domain().isEmpty() && !signature.domain().endsWith("."), () -> "d= '" + signature.domain() + "'");
        Violation.check(signature.auid().contains("@"), () -> "i= without @");
        Violation.check(signature.signedFields().stream().anyMatch(name -> name.equalsIgnoreCase("from")), () -> "h= without From");
        signature.bodyLength();
        signature.timestamp();
        signature.expiration();
        signature.signaturePrefix();
        HeaderField emptied = signature.withEmptySignature();
        TagList original = TagList.parse(signature.field().value(), Integer.MAX_VALUE);
        TagList again = TagList.parse(emptied.value(), Integer.MAX_VALUE);
        Violation.check(again.names().equals(original.names()), () -> "emptying b= changed the tag names");
        Violation.check(again.get("b").equals(Optional.of("")), () -> "b= not empty after emptying: " + again.get("b"));
        for (String name : original.names()) {
            if (!name.equals("b")) {
                Violation.check(again.get(name).equals(original.get(name)), () -> "emptying b= changed " + name + "=");
            }
        }
    }
}
