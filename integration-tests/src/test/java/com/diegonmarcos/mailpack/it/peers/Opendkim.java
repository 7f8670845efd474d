package com.diegonmarcos.mailpack.it.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.commons.io.FileUtils;

/**
 * OpenDKIM's verifier ({@code opendkim-testmsg}, package opendkim-tools) on a message. It only asks
 * the system resolver, on port 53: so it runs in a network namespace of its own ({@code ip netns},
 * root only) whose {@code /etc/resolv.conf} names 127.0.0.1, where a second test NSD serves the
 * given records. Silent on success; prints the error and exits non-zero otherwise.
 */
public final class Opendkim {
    public static final String TESTMSG = "/usr/sbin/opendkim-testmsg";

    private Opendkim() {
    }

    /**
     * @param records TXT records by owner name (e.g. the key records of the signing domain)
     * @param zones the zones those names are in
     */
    public static Peers.Result verify(byte[] message, Map<String, String> records, String... zones) {
        Peers.require(TESTMSG, "opendkim-tools");
        Peers.require(TestDns.NSD, "nsd");
        Peers.require("/usr/sbin/ip", "iproute2");
        String namespace = "mpdkim" + UUID.randomUUID().toString().substring(0, 8);
        Path resolvConf = Path.of("/etc/netns", namespace, "resolv.conf");
        TestDns dns = TestDns.inNamespace(namespace, zones);
        records.forEach(dns::txt);
        try {
            exec(List.of("ip", "netns", "add", namespace));
            exec(List.of("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"));
            Files.createDirectories(resolvConf.getParent());
            Files.writeString(resolvConf, "nameserver 127.0.0.1\n", StandardCharsets.US_ASCII);
            dns.start();
            return Peers.run(List.of("ip", "netns", "exec", namespace, TESTMSG), message, 120);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            dns.close();
            Peers.run(List.of("ip", "netns", "del", namespace), null, 30);
            FileUtils.deleteQuietly(resolvConf.getParent().toFile());
        }
    }

    private static void exec(List<String> command) {
        Peers.Result result = Peers.run(command, null, 30);
        assertThat(result.exitCode()).as("%s (network namespaces need root): %s", command, result.output()).isZero();
    }
}
