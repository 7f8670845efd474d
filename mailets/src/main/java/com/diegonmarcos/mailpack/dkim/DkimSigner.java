package com.diegonmarcos.mailpack.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signs a message with one DKIM-Signature per key (RFC 6376 §5), relaxed/relaxed, SHA-256.
 *
 * <p>Signed header fields: each {@linkplain #overSigned() over-signed} name once per instance in
 * the message plus once more, so that no instance can be added later without breaking the
 * signature (RFC 6376 §8.15); each {@linkplain #signedIfPresent() other} name once per instance.
 * The signatures share one body hash; each is computed over the header as it is, none covers the
 * others.
 */
public final class DkimSigner {
    public static final List<String> DEFAULT_OVER_SIGNED = List.of("From", "To", "Cc", "Subject", "Date", "Reply-To",
        "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding");
    public static final List<String> DEFAULT_SIGNED_IF_PRESENT = List.of("Sender", "In-Reply-To", "References",
        "Content-Disposition", "Content-Language", "List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post",
        "List-Subscribe", "List-Post", "List-Owner", "List-Archive", "Autocrypt");
    /** The header section of a message to sign may not be larger (the body is streamed). */
    static final long MAX_HEADER_BYTES = 4L * 1024 * 1024;
    private static final int LINE = 76;

    private final List<String> overSigned;
    private final List<String> signedIfPresent;
    private final Optional<Duration> expiration;

    /**
     * @param expiration when present, {@code x=} is set this long after {@code t=}
     */
    public DkimSigner(List<String> overSigned, List<String> signedIfPresent, Optional<Duration> expiration) {
        if (overSigned.stream().noneMatch(name -> name.equalsIgnoreCase("From"))) {
            throw new IllegalArgumentException("From must be over-signed (RFC 6376 §5.4)");
        }
        this.overSigned = List.copyOf(overSigned);
        this.signedIfPresent = List.copyOf(signedIfPresent);
        this.expiration = expiration;
    }

    public static DkimSigner withDefaults() {
        return new DkimSigner(DEFAULT_OVER_SIGNED, DEFAULT_SIGNED_IF_PRESENT, Optional.empty());
    }

    public List<String> overSigned() {
        return overSigned;
    }

    public List<String> signedIfPresent() {
        return signedIfPresent;
    }

    /**
     * @param message writes the message exactly as it will be transmitted (header fields added
     *        afterwards must not be covered, e.g. Received, Return-Path)
     * @param domain d=, the domain of the From address
     * @param keys one signature each, in this order
     * @param now t=
     * @return the DKIM-Signature fields (folded, without final CRLF), in the order of {@code keys}
     */
    public List<String> sign(MessageWriter message, String domain, List<SigningKey> keys, Instant now)
        throws IOException, GeneralSecurityException {
        if (keys.isEmpty()) {
            return List.of();
        }
        AtomicReference<List<HeaderField>> header = new AtomicReference<>();
        BodyHash bodyHash = new BodyHash(Canonicalization.RELAXED, -1);
        MessageSplitter splitter = new MessageSplitter(fields -> {
            header.set(fields);
            return bodyHash::write;
        }, MAX_HEADER_BYTES);
        message.writeTo(splitter);
        splitter.close();
        String bh = Base64.getEncoder().encodeToString(bodyHash.finish());
        List<HeaderField> fields = header.get();
        List<String> h = signedFieldNames(fields);
        byte[] signedFields = HeaderSelection.canonicalize(fields, h, Canonicalization.RELAXED)
            .getBytes(StandardCharsets.ISO_8859_1);

        List<String> signatures = new ArrayList<>();
        for (SigningKey key : keys) {
            String unsigned = unsignedField(key, domain, now, h, bh);
            String canonicalSelf = Canonicalization.RELAXED.header(HeaderField.of(unsigned));
            byte[] selfBytes = canonicalSelf.substring(0, canonicalSelf.length() - 2).getBytes(StandardCharsets.ISO_8859_1);
            byte[] data = new byte[signedFields.length + selfBytes.length];
            System.arraycopy(signedFields, 0, data, 0, signedFields.length);
            System.arraycopy(selfBytes, 0, data, signedFields.length, selfBytes.length);
            signatures.add(unsigned + fold(Base64.getEncoder().encodeToString(key.sign(data))));
        }
        return signatures;
    }

    /** h=: over-signed names once more than they occur, the others as often as they occur. */
    List<String> signedFieldNames(List<HeaderField> fields) {
        List<String> names = new ArrayList<>();
        for (String name : overSigned) {
            long count = fields.stream().filter(field -> field.hasName(name)).count();
            for (long i = 0; i <= count; i++) {
                names.add(name);
            }
        }
        for (String name : signedIfPresent) {
            long count = fields.stream().filter(field -> field.hasName(name)).count();
            for (long i = 0; i < count; i++) {
                names.add(name);
            }
        }
        return names;
    }

    private String unsignedField(SigningKey key, String domain, Instant now, List<String> h, String bh) {
        List<String> specs = new ArrayList<>();
        specs.add("v=1");
        specs.add("a=" + key.algorithm().tagValue());
        specs.add("c=relaxed/relaxed");
        specs.add("d=" + domain);
        specs.add("s=" + key.selector());
        long t = now.getEpochSecond();
        specs.add("t=" + t);
        expiration.ifPresent(duration -> specs.add("x=" + (t + Math.max(1, duration.getSeconds()))));
        specs.add("h=" + String.join(":", h));
        specs.add("bh=" + bh);
        StringBuilder field = new StringBuilder("DKIM-Signature:");
        int lineLength = field.length();
        for (String spec : specs) {
            String piece = " " + spec + ";";
            if (lineLength + piece.length() > LINE) {
                if (spec.startsWith("h=")) {
                    lineLength = appendFoldedNames(field, lineLength, spec);
                    continue;
                }
                field.append("\r\n\t");
                lineLength = 8;
                piece = spec + ";";
            }
            field.append(piece);
            lineLength += piece.length();
        }
        return field.append("\r\n\tb=").toString();
    }

    /** h= broken after colons (FWS is allowed there, RFC 6376 §3.5). */
    private static int appendFoldedNames(StringBuilder field, int lineLength, String spec) {
        field.append("\r\n\t");
        lineLength = 8;
        String[] parts = (spec + ";").split("(?<=:)");
        for (String part : parts) {
            if (lineLength + part.length() > LINE && lineLength > 8) {
                field.append("\r\n\t");
                lineLength = 8;
            }
            field.append(part);
            lineLength += part.length();
        }
        return lineLength;
    }

    /** b= value in chunks, continuation lines starting with a tab. */
    private static String fold(String base64) {
        StringBuilder out = new StringBuilder(base64.length() + 16);
        int first = LINE - 10;
        out.append(base64, 0, Math.min(first, base64.length()));
        for (int i = first; i < base64.length(); i += LINE - 8) {
            out.append("\r\n\t").append(base64, i, Math.min(i + LINE - 8, base64.length()));
        }
        return out.toString();
    }
}
