package com.diegonmarcos.mailpack.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;

/** Keys made once per test run (RSA generation is slow). */
public final class TestKeys {
    public static final KeyPair RSA = generate("RSA", 2048);
    public static final KeyPair ED25519 = generate("Ed25519", 0);

    private TestKeys() {
    }

    public static SigningKey rsa(String selector) {
        try {
            return SigningKey.of(selector, RSA.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SigningKey ed25519(String selector) {
        try {
            return SigningKey.of(selector, ED25519.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate(String algorithm, int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (bits > 0) {
                generator.initialize(bits);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
