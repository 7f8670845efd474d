package com.diegonmarcos.mailpack.bench;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

import com.diegonmarcos.mailpack.dkim.SigningKey;

/**
 * The messages and keys the DKIM benchmarks use, made the same way for mailpack (JMH) and dkimpy
 * ({@code bench/dkim_dkimpy.py}): {@code java ... DkimBenchData <directory>} writes
 * {@code message-4096.eml}, {@code message-102400.eml}, {@code ed25519.seed} (dkimpy's key format),
 * {@code rsa.pem} (PKCS#1) and {@code records.txt} (name TAB value).
 */
public final class DkimBenchData {
    public static final String DOMAIN = "diegonmarcos.com";
    public static final List<Integer> SIZES = List.of(4096, 102_400);
    private static final String[] WORDS = ("the of and to in is that for it as with was on be by this are or at from which "
        + "mail server message signature domain key record verify body header canonical relaxed simple").split(" ");

    final byte[] seed;
    final KeyPair rsa;
    final SigningKey ed25519Key;
    final SigningKey rsaKey;

    DkimBenchData() throws GeneralSecurityException {
        Random random = new Random(8463);
        seed = new byte[32];
        random.nextBytes(seed);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rsa = generator.generateKeyPair();
        ed25519Key = SigningKey.ed25519("bench-e", seed);
        rsaKey = SigningKey.of("bench-r", rsa.getPrivate());
    }

    /** A plain-text message of about {@code size} octets: usual header fields, lines of words. */
    static byte[] message(int size) {
        StringBuilder out = new StringBuilder()
            .append("From: Diego <diego@diegonmarcos.com>\r\n")
            .append("To: Alice <alice@example.org>\r\n")
            .append("Cc: bob@example.net\r\n")
            .append("Subject: Benchmark message of ").append(size).append(" octets\r\n")
            .append("Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n")
            .append("Message-ID: <bench-").append(size).append("@diegonmarcos.com>\r\n")
            .append("MIME-Version: 1.0\r\n")
            .append("Content-Type: text/plain; charset=utf-8\r\n")
            .append("Content-Transfer-Encoding: 7bit\r\n")
            .append("\r\n");
        Random random = new Random(size);
        StringBuilder line = new StringBuilder();
        while (out.length() < size) {
            String word = WORDS[random.nextInt(WORDS.length)];
            if (line.length() + word.length() + 1 > 72) {
                out.append(line).append("\r\n");
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        out.append(line).append("\r\n");
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args.length > 0 ? args[0] : "bench/target/dkim-data");
        Files.createDirectories(directory);
        DkimBenchData data = new DkimBenchData();
        for (int size : SIZES) {
            Files.write(directory.resolve("message-" + size + ".eml"), message(size));
        }
        Files.writeString(directory.resolve("ed25519.seed"), Base64.getEncoder().encodeToString(data.seed) + "\n");
        Files.writeString(directory.resolve("rsa.pem"), pem(data.rsa));
        Files.writeString(directory.resolve("records.txt"),
            "bench-e._domainkey." + DOMAIN + ".\t" + data.ed25519Key.txtRecord() + "\n"
                + "bench-r._domainkey." + DOMAIN + ".\t" + data.rsaKey.txtRecord() + "\n");
        // the same public key from the seed, as dkimpy derives it
        if (!Base64.getEncoder().encodeToString(new Ed25519PrivateKeyParameters(data.seed, 0).generatePublicKey().getEncoded())
            .equals(data.ed25519Key.publicKeyBase64())) {
            throw new IllegalStateException("ed25519 public key mismatch");
        }
        System.out.println("wrote " + directory);
    }

    private static String pem(KeyPair pair) throws IOException {
        StringWriter out = new StringWriter();
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
            writer.writeObject(pair.getPrivate()); // PKCS#1 "RSA PRIVATE KEY": what dkimpy reads
        }
        return out.toString();
    }
}
