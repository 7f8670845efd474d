package com.diegonmarcos.mailpack.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.SignatureAlgorithm;

/**
 * The webadmin credential. James' webadmin checks RS256 JWTs carrying {@code "admin": true} against
 * a public key; on first start we create the key pair and one admin token, all owner-only under
 * {@code var/webadmin/}. To revoke every token, delete that directory and restart.
 */
public final class AdminToken {
    public static final String PUBLIC_KEY = "jwt_publickey.pem";
    public static final String PRIVATE_KEY = "jwt_privatekey.pem";
    public static final String TOKEN = "admin.token";

    private final Clock clock;

    public AdminToken(Clock clock) {
        this.clock = clock;
    }

    /** @return true when new keys and a new token were written */
    public boolean ensure(Path directory) throws IOException, GeneralSecurityException {
        Path publicKey = directory.resolve(PUBLIC_KEY);
        Path privateKey = directory.resolve(PRIVATE_KEY);
        Path token = directory.resolve(TOKEN);
        if (Files.isRegularFile(publicKey) && Files.isRegularFile(privateKey)) {
            if (!Files.isRegularFile(token)) {
                OwnerOnlyFiles.write(token, mint(readPrivateKey(privateKey)) + "\n");
            }
            return false;
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keyPair = generator.generateKeyPair();
        OwnerOnlyFiles.write(privateKey, SelfSignedCertificate.pkcs8Pem(keyPair.getPrivate()));
        OwnerOnlyFiles.write(publicKey, SelfSignedCertificate.pem(keyPair.getPublic()));
        OwnerOnlyFiles.write(token, mint(keyPair.getPrivate()) + "\n");
        return true;
    }

    private String mint(PrivateKey key) {
        return Jwts.builder()
            .setSubject("admin")
            .claim("admin", true)
            .setIssuedAt(Date.from(clock.instant()))
            .signWith(key, SignatureAlgorithm.RS256)
            .compact();
    }

    private static PrivateKey readPrivateKey(Path pem) throws IOException, GeneralSecurityException {
        String base64 = Files.readString(pem, StandardCharsets.US_ASCII)
            .replaceAll("-----[A-Z ]+-----", "")
            .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
