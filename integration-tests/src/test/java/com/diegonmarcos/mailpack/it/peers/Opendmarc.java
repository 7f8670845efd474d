package com.diegonmarcos.mailpack.it.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.commons.io.FileUtils;

/**
 * OpenDMARC's policy lookup ({@code opendmarc-check}, package opendmarc) for some domains. It only
 * asks the system resolver, on port 53: so, like {@link Opendkim}, it runs in a network namespace
 * of its own whose resolv.conf names 127.0.0.1, where a test NSD serves the given TXT records.
 */
public final class Opendmarc {
    public static final String CHECK = "/usr/sbin/opendmarc-check";

    private Opendmarc() {
    }

    /**
     * @param records TXT records: owner name and its values (several values: several records)
     * @param zones the zones the names are in
     * @return opendmarc-check's output per domain
     */
    public static Map<String, String> check(Map<String, List<String>> records, List<String> zones, List<String> domains) {
        Peers.require(CHECK, "opendmarc");
        Peers.require(TestDns.NSD, "nsd");
        Peers.require("/usr/sbin/ip", "iproute2");
        String namespace = "mpdmarc" + UUID.randomUUID().toString().substring(0, 8);
        Path resolvConf = Path.of("/etc/netns", namespace, "resolv.conf");
        TestDns dns = TestDns.inNamespace(namespace, zones.toArray(String[]::new));
        records.forEach((name, values) -> {
            List<String> quoted = new ArrayList<>();
            for (String value : values) {
                quoted.add("\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
            }
            dns.set(name, "TXT", quoted.toArray(String[]::new));
        });
        try {
            exec(List.of("ip", "netns", "add", namespace));
            exec(List.of("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"));
            Files.createDirectories(resolvConf.getParent());
            Files.writeString(resolvConf, "nameserver 127.0.0.1\n", StandardCharsets.US_ASCII);
            dns.start();
            Map<String, String> outputs = new LinkedHashMap<>();
            for (String domain : domains) {
                outputs.put(domain, Peers.run(List.of("ip", "netns", "exec", namespace, CHECK, domain), null, 60).output());
            }
            return outputs;
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
