package com.diegonmarcos.mailpack.dkim;

import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * A DKIM key record (RFC 6376 §3.6.1) read from DNS TXT. A record that does not parse, or whose
 * key cannot be decoded, is a {@link DkimFormatException} (reported as {@code permerror}).
 */
public final class DkimKeyRecord {
    /** Longer records are refused (a 4096-bit RSA record is about 800 characters). */
    public static final int MAX_RECORD_LENGTH = 8 * 1024;
    /** Larger RSA keys are refused, so that a hostile record cannot make verification expensive. */
    public static final int MAX_RSA_BITS = 8192;

    private final String keyType;
    private final boolean revoked;
    private final Object publicKey;
    private final DkimAlgorithm algorithm;
    private final boolean testing;
    private final boolean strict;
    private final Optional<String> acceptableHashes;

    private DkimKeyRecord(String keyType, boolean revoked, Object publicKey, DkimAlgorithm algorithm, boolean testing,
                          boolean strict, Optional<String> acceptableHashes) {
        this.keyType = keyType;
        this.revoked = revoked;
        this.publicKey = publicKey;
        this.algorithm = algorithm;
        this.testing = testing;
        this.strict = strict;
        this.acceptableHashes = acceptableHashes;
    }

    public static DkimKeyRecord parse(String record) throws DkimFormatException {
        TagList tags = TagList.parse(record, MAX_RECORD_LENGTH);
        Optional<String> version = tags.get("v");
        if (version.isPresent()) {
            if (!"DKIM1".equals(version.get())) {
                throw new DkimFormatException("key record v=" + TagList.printable(version.get()) + " is not DKIM1");
            }
            if (!tags.names().iterator().next().equals("v")) {
                throw new DkimFormatException("key record v= is not the first tag");
            }
        }
        String keyType = tags.get("k").orElse("rsa").toLowerCase(Locale.ROOT);
        Optional<String> services = tags.get("s");
        if (services.isPresent()) {
            boolean email = false;
            for (String service : TagList.withoutWhitespace(services.get()).split(":")) {
                email |= service.equals("*") || service.equalsIgnoreCase("email");
            }
            if (!email) {
                throw new DkimFormatException("key record s=" + TagList.printable(services.get()) + " is not for email");
            }
        }
        boolean testing = false;
        boolean strict = false;
        for (String flag : TagList.withoutWhitespace(tags.get("t").orElse("")).split(":")) {
            testing |= flag.equalsIgnoreCase("y");
            strict |= flag.equalsIgnoreCase("s");
        }
        Optional<String> hashes = tags.get("h").map(TagList::withoutWhitespace);
        String p = TagList.withoutWhitespace(tags.require("p"));
        DkimAlgorithm algorithm = null;
        for (DkimAlgorithm candidate : DkimAlgorithm.values()) {
            if (candidate.keyType().equals(keyType)) {
                algorithm = candidate;
            }
        }
        if (p.isEmpty()) {
            return new DkimKeyRecord(keyType, true, null, algorithm, testing, strict, hashes);
        }
        if (algorithm == null) {
            throw new DkimFormatException("key record k=" + TagList.printable(keyType) + " is not a key type mailpack knows");
        }
        byte[] encoded;
        try {
            encoded = Base64.getDecoder().decode(p);
        } catch (IllegalArgumentException e) {
            throw new DkimFormatException("key record p= is not base64");
        }
        Object key;
        try {
            key = algorithm.publicKey(encoded);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new DkimFormatException("key record p= is not a valid " + keyType + " key", e);
        }
        if (algorithm == DkimAlgorithm.RSA_SHA256 && algorithm.keyBits(key) > MAX_RSA_BITS) {
            throw new DkimFormatException("key record has an RSA key of more than " + MAX_RSA_BITS + " bits");
        }
        return new DkimKeyRecord(keyType, false, key, algorithm, testing, strict, hashes);
    }

    /** k= (rsa when absent), lower case. */
    public String keyType() {
        return keyType;
    }

    /** An empty p=: the key was revoked (RFC 6376 §3.6.1). */
    public boolean revoked() {
        return revoked;
    }

    /** t=y: the domain is testing DKIM. */
    public boolean testing() {
        return testing;
    }

    /** t=s: i= must be exactly d=, not a subdomain. */
    public boolean strict() {
        return strict;
    }

    /** Whether h= (when present) allows sha256. */
    public boolean allowsSha256() {
        if (acceptableHashes.isEmpty()) {
            return true;
        }
        for (String hash : acceptableHashes.get().split(":")) {
            if (hash.equalsIgnoreCase("sha256")) {
                return true;
            }
        }
        return false;
    }

    public Optional<DkimAlgorithm> algorithm() {
        return Optional.ofNullable(algorithm);
    }

    public int keyBits() {
        return revoked ? 0 : algorithm.keyBits(publicKey);
    }

    /** The decoded public key (tests compare it with the signing key's public half). */
    static Object parseForTest(String record) throws DkimFormatException {
        return parse(record).publicKey;
    }

    boolean verify(DkimAlgorithm signatureAlgorithm, byte[] data, byte[] signature) throws GeneralSecurityException {
        return signatureAlgorithm.verify(publicKey, data, signature);
    }
}
