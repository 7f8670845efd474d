package com.diegonmarcos.mailpack.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Objects;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;

/**
 * A selector and its private key, ready to sign. Built from any JCA private key (RSA, or Ed25519
 * from the JDK or Bouncy Castle); it also knows the public half, for the DNS record.
 */
public final class SigningKey {
    private static final java.util.regex.Pattern SELECTOR = java.util.regex.Pattern.compile(
        "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private final String selector;
    private final DkimAlgorithm algorithm;
    private final Object privateMaterial;
    private final String publicKeyBase64;

    private SigningKey(String selector, DkimAlgorithm algorithm, Object privateMaterial, String publicKeyBase64) {
        this.selector = selector;
        this.algorithm = algorithm;
        this.privateMaterial = privateMaterial;
        this.publicKeyBase64 = publicKeyBase64;
    }

    /**
     * @throws GeneralSecurityException for a key that is neither RSA (at least 1024 bits) nor Ed25519
     * @throws IllegalArgumentException for a selector that is not a DNS label sequence
     */
    public static SigningKey of(String selector, PrivateKey key) throws GeneralSecurityException {
        if (!isValidSelector(selector)) {
            throw new IllegalArgumentException("selector '" + selector + "' is not DNS labels (letters, digits, '-', '.')");
        }
        String algorithm = key.getAlgorithm();
        if ("RSA".equalsIgnoreCase(algorithm)) {
            if (!(key instanceof RSAPrivateCrtKey)) {
                throw new GeneralSecurityException("the RSA key for selector " + selector + " lacks its public exponent (not a CRT key)");
            }
            RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
            if (rsa.getModulus().bitLength() < 1024) {
                throw new GeneralSecurityException("the RSA key for selector " + selector + " has "
                    + rsa.getModulus().bitLength() + " bits; RFC 8301 needs at least 1024 (2048 recommended)");
            }
            byte[] spki = KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent())).getEncoded();
            return new SigningKey(selector, DkimAlgorithm.RSA_SHA256, key, Base64.getEncoder().encodeToString(spki));
        }
        if ("Ed25519".equalsIgnoreCase(algorithm) || "EdDSA".equalsIgnoreCase(algorithm)) {
            Ed25519PrivateKeyParameters ed25519 = ed25519(key, selector);
            return new SigningKey(selector, DkimAlgorithm.ED25519_SHA256, ed25519,
                Base64.getEncoder().encodeToString(ed25519.generatePublicKey().getEncoded()));
        }
        throw new GeneralSecurityException("the key for selector " + selector + " is " + algorithm + "; DKIM keys are RSA or Ed25519");
    }

    /** An Ed25519 key from its 32-octet seed (RFC 8032 §5.1.5), as test vectors give it. */
    public static SigningKey ed25519(String selector, byte[] seed) {
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(seed, 0);
        return new SigningKey(selector, DkimAlgorithm.ED25519_SHA256, key,
            Base64.getEncoder().encodeToString(key.generatePublicKey().getEncoded()));
    }

    private static Ed25519PrivateKeyParameters ed25519(PrivateKey key, String selector) throws GeneralSecurityException {
        try {
            AsymmetricKeyParameter parameters = PrivateKeyFactory.createKey(PrivateKeyInfo.getInstance(key.getEncoded()));
            if (parameters instanceof Ed25519PrivateKeyParameters) {
                return (Ed25519PrivateKeyParameters) parameters;
            }
        } catch (Exception e) {
            throw new GeneralSecurityException("the Ed25519 key for selector " + selector + " cannot be read", e);
        }
        throw new GeneralSecurityException("the key for selector " + selector + " is EdDSA but not Ed25519 (Ed448 is not DKIM)");
    }

    public static boolean isValidSelector(String selector) {
        return selector != null && selector.length() <= 253 && SELECTOR.matcher(selector).matches();
    }

    public String selector() {
        return selector;
    }

    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    /** The {@code p=} value: SubjectPublicKeyInfo for RSA, the raw 32 octets for Ed25519. */
    public String publicKeyBase64() {
        return publicKeyBase64;
    }

    /** The TXT record value to publish at {@code <selector>._domainkey.<domain>}. */
    public String txtRecord() {
        return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + publicKeyBase64;
    }

    byte[] sign(byte[] data) throws GeneralSecurityException {
        return algorithm.sign(privateMaterial, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey && ((SigningKey) o).selector.equals(selector)
            && ((SigningKey) o).publicKeyBase64.equals(publicKeyBase64);
    }

    @Override
    public int hashCode() {
        return Objects.hash(selector, publicKeyBase64);
    }

    @Override
    public String toString() {
        return "SigningKey(" + selector + ", " + algorithm.tagValue() + ")"; // never the key
    }
}
