package com.diegonmarcos.mailpack.dkim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SHA-256 body hash of one (canonicalization, length limit) pair, computed as the body streams
 * by. It also counts the whole canonical body, so that a verifier can tell an {@code l=} that
 * covers only part of it.
 */
public final class BodyHash {
    private final BodyCanonicalizer canonicalizer;
    private final MessageDigest digest;
    private final long limit;
    private long hashed;
    private byte[] result;

    /** @param limit octets of canonical body to hash ({@code l=}), or -1 for all */
    public BodyHash(Canonicalization canonicalization, long limit) {
        this.digest = sha256();
        this.limit = limit;
        this.canonicalizer = canonicalization.body(this::hash);
    }

    public void write(byte[] bytes, int offset, int length) {
        canonicalizer.write(bytes, offset, length);
    }

    /** Finishes the body and returns the hash (idempotent). */
    public byte[] finish() {
        if (result == null) {
            canonicalizer.finish();
            result = digest.digest();
        }
        return result.clone();
    }

    /** The length of the whole canonical body (call {@link #finish()} first). */
    public long canonicalLength() {
        return canonicalizer.length();
    }

    private void hash(byte[] bytes, int offset, int length) {
        int take = length;
        if (limit >= 0) {
            take = (int) Math.max(0, Math.min(length, limit - hashed));
        }
        if (take > 0) {
            digest.update(bytes, offset, take);
            hashed += take;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
