package com.diegonmarcos.mailpack.server;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates the self-signed certificate used when no certificate is configured, so that the server
 * starts with TLS on a fresh machine. Mail clients will warn about it: real deployments point
 * {@code MAILPACK_TLS_CERT}/{@code MAILPACK_TLS_KEY} at Let's Encrypt files.
 */
public final class SelfSignedCertificate {
    private static final Duration VALIDITY = Duration.ofDays(365);

    private final Clock clock;

    public SelfSignedCertificate(Clock clock) {
        this.clock = clock;
    }

    /**
     * Writes {@code certificate} and {@code privateKey} (PEM; key 0600) unless both already exist.
     *
     * @return true when a new pair was generated
     */
    public boolean ensure(Path certificate, Path privateKey, String hostname) throws IOException, GeneralSecurityException {
        if (Files.isRegularFile(certificate) && Files.isRegularFile(privateKey)) {
            return false;
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, new SecureRandom());
        KeyPair keyPair = generator.generateKeyPair();
        X509Certificate x509 = sign(keyPair, hostname);
        OwnerOnlyFiles.write(privateKey, pkcs8Pem(keyPair.getPrivate()));
        OwnerOnlyFiles.write(certificate, pem(x509));
        return true;
    }

    private X509Certificate sign(KeyPair keyPair, String hostname) throws IOException, GeneralSecurityException {
        Instant now = clock.instant();
        X500Name subject = new X500Name("CN=" + hostname + ",O=mailpack self-signed");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)),
            subject, keyPair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, hostname),
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        try {
            return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keyPair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the self-signed certificate", e);
        }
    }

    /** PKCS#8 PEM, the form Let's Encrypt clients and Java both read. */
    static String pkcs8Pem(PrivateKey key) throws IOException {
        return pem(new JcaPKCS8Generator(key, null));
    }

    static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
