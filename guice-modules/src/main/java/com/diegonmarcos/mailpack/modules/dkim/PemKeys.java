package com.diegonmarcos.mailpack.modules.dkim;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

import com.diegonmarcos.mailpack.dkim.DkimAlgorithm;

/** DKIM private keys as PEM: generated here (PKCS#8), or supplied by the operator (PKCS#8, or PKCS#1 for RSA). */
final class PemKeys {
    static final int RSA_BITS = 2048;

    private PemKeys() {
    }

    static PrivateKey generate(DkimAlgorithm algorithm) throws GeneralSecurityException {
        if (algorithm == DkimAlgorithm.ED25519_SHA256) {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(RSA_BITS);
        return generator.generateKeyPair().getPrivate();
    }

    /** PKCS#8 PEM, what openssl genpkey writes too. */
    static String pem(PrivateKey key) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        }
        return out.toString();
    }

    /**
     * @throws IOException naming the file: missing, not PEM, encrypted, or not an RSA / Ed25519 key
     */
    static PrivateKey read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        Object object;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            object = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a PEM private key (" + e.getMessage() + ")", e);
        }
        PrivateKeyInfo info;
        if (object instanceof PrivateKeyInfo) {
            info = (PrivateKeyInfo) object;
        } else if (object instanceof PEMKeyPair) {
            info = ((PEMKeyPair) object).getPrivateKeyInfo();
        } else if (object == null) {
            throw new IOException(file + ": no PEM object in it");
        } else {
            throw new IOException(file + ": " + object.getClass().getSimpleName()
                + " is not an unencrypted private key (PKCS#8 \"PRIVATE KEY\" or PKCS#1 \"RSA PRIVATE KEY\")");
        }
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm;
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            algorithm = "RSA";
        } else if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            algorithm = "Ed25519";
        } else {
            throw new IOException(file + ": key algorithm " + oid + " is neither RSA nor Ed25519");
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": unreadable " + algorithm + " key: " + e.getMessage(), e);
        }
    }
}
