package com.diegonmarcos.mailpack.it.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** dkimpy (python3-dkim, python3-nacl) run through {@code peers/dkim_tool.py}: verifies and signs like a foreign MTA. */
public final class Dkimpy {
    private static final String PACKAGES = "python3-dkim python3-nacl python3-dnspython";

    private Dkimpy() {
    }

    /** One line per DKIM-Signature: {@code pass|fail <d> <s> <a> [reason]}; keys resolved at {@code dns}. */
    public static List<String> verify(byte[] message, TestDns dns) {
        Path file = temporary(message);
        try {
            Peers.Result result = Peers.run(List.of(python(), tool(), "verify", "--dns", dns.address(), file.toString()), null, 120);
            assertThat(result.exitCode()).as("dkim_tool.py verify: %s", result.output()).isZero();
            return Arrays.stream(result.output().split("\n")).filter(line -> !line.isBlank()).collect(Collectors.toList());
        } finally {
            delete(file);
        }
    }

    /** The results without dkimpy's explanations: {@code pass|fail <d> <s> <a>}. */
    public static List<String> verdicts(byte[] message, TestDns dns) {
        List<String> verdicts = new ArrayList<>();
        for (String line : verify(message, dns)) {
            String[] words = line.split(" ");
            verdicts.add(String.join(" ", Arrays.copyOf(words, Math.min(4, words.length))));
        }
        return verdicts;
    }

    /** The DKIM-Signature field dkimpy makes for {@code message} (relaxed/relaxed), with its CRLF. */
    public static String sign(byte[] message, String selector, String domain, String algorithm, String key, boolean length) {
        Path file = temporary(message);
        Path keyFile = temporary(key.getBytes(StandardCharsets.US_ASCII));
        try {
            List<String> command = new ArrayList<>(List.of(python(), tool(), "sign", "--selector", selector, "--domain", domain,
                "--algorithm", algorithm, "--key", keyFile.toString()));
            if (length) {
                command.add("--length");
            }
            command.add(file.toString());
            Peers.Result result = Peers.run(command, null, 120);
            assertThat(result.exitCode()).as("dkim_tool.py sign: %s", result.output()).isZero();
            assertThat(result.output()).startsWith("DKIM-Signature:");
            String field = result.output().replace("\r\n", "\n").replace("\n", "\r\n");
            return field.endsWith("\r\n") ? field : field + "\r\n";
        } finally {
            delete(file);
            delete(keyFile);
        }
    }

    private static String python() {
        return Peers.python("dkim, nacl, dns.resolver", PACKAGES);
    }

    private static String tool() {
        try {
            return Path.of(Dkimpy.class.getResource("/peers/dkim_tool.py").toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path temporary(byte[] content) {
        try {
            Path file = Files.createTempFile("mailpack-peer", ".eml");
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
