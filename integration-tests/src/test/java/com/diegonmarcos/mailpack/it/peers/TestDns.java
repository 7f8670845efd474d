package com.diegonmarcos.mailpack.it.peers;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server for tests: NSD (Debian package {@code nsd}) as a child process on
 * 127.0.0.1:&lt;free port&gt;, serving zones written by the test. Records can be changed while it
 * runs ({@link #txt}, {@link #remove}: the zone is rewritten and NSD reloaded, and the call returns
 * once NSD serves the new serial), and the server stopped and started again on the same port (to
 * test what a DNS outage does). Rate limiting is off (every query comes from 127.0.0.1).
 *
 * <p>Register with {@code @RegisterExtension @Order(1) static} before the server that uses it,
 * and hand it {@link #address()} (e.g. as {@code MAILPACK_DNS_SERVERS}). Used by the DKIM tests;
 * SPF and DMARC tests add their own records the same way.
 */
public final class TestDns implements BeforeAllCallback, AfterAllCallback {
    public static final String NSD = "/usr/sbin/nsd";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /** One resource record: owner (absolute, with the final dot), type, rdata as zone-file text. */
    private record Rr(String owner, String type, String rdata) {
    }

    private final List<String> origins = new ArrayList<>();
    private final Map<String, List<Rr>> records = new LinkedHashMap<>();
    private final String namespace;
    private int port;
    private Path directory;
    private Process process;
    private long serial = 1;
    private ExtensionContext owner;

    private TestDns(String namespace, List<String> zones) {
        this.namespace = namespace;
        zones.forEach(zone -> origins.add(absolute(zone)));
    }

    /** A server for these zones, on a free port chosen now (so the port can go into other configuration). */
    public static TestDns forZones(String... zones) {
        TestDns dns = new TestDns(null, List.of(zones));
        try {
            dns.port = Peers.freeTcpAndUdpPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dns;
    }

    /**
     * A server on 127.0.0.1:53 inside the network namespace {@code namespace} (for tools that only
     * use the system resolver, run in the same namespace). Records must be set before {@link #start()}.
     */
    public static TestDns inNamespace(String namespace, String... zones) {
        TestDns dns = new TestDns(namespace, List.of(zones));
        dns.port = 53;
        return dns;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (owner != null) {
            return; // a @Nested class: the enclosing class's server serves it
        }
        owner = context;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context == owner) {
            close();
        }
    }

    /** A TXT record replacing the name's TXT records; the value is cut into strings of at most 255 octets. */
    public TestDns txt(String name, String value) {
        List<String> strings = new ArrayList<>();
        byte[] octets = value.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < octets.length || strings.isEmpty(); i += 255) {
            strings.add(quote(new String(octets, i, Math.min(255, octets.length - i), StandardCharsets.ISO_8859_1)));
        }
        return set(name, "TXT", "( " + String.join(" ", strings) + " )");
    }

    /** Records of one type at one name, replacing any (rdata in zone-file syntax). */
    public synchronized TestDns set(String name, String type, String... rdatas) {
        String owner = absolute(name);
        String zone = zoneOf(owner);
        List<Rr> zoneRecords = records.computeIfAbsent(zone, key -> new ArrayList<>());
        zoneRecords.removeIf(rr -> rr.owner().equals(owner) && rr.type().equalsIgnoreCase(type));
        for (String rdata : rdatas) {
            zoneRecords.add(new Rr(owner, type.toUpperCase(Locale.ROOT), rdata));
        }
        reloadIfRunning();
        return this;
    }

    /** Removes every record at {@code name} (it becomes NXDOMAIN). */
    public synchronized TestDns remove(String name) {
        String owner = absolute(name);
        records.getOrDefault(zoneOf(owner), new ArrayList<>()).removeIf(rr -> rr.owner().equals(owner));
        reloadIfRunning();
        return this;
    }

    public synchronized void start() {
        Peers.require(NSD, "nsd");
        try {
            if (directory == null) {
                directory = Files.createTempDirectory("mailpack-nsd");
            }
            writeFiles();
            Files.deleteIfExists(directory.resolve("nsd.log"));
            List<String> command = new ArrayList<>();
            if (namespace != null) {
                command.addAll(List.of("ip", "netns", "exec", namespace));
            }
            command.addAll(List.of(NSD, "-d", "-c", directory.resolve("nsd.conf").toString()));
            process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("nsd.out").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("nsd exited with " + process.exitValue() + ":\n" + log());
            }
            return namespace != null ? log().contains("nsd started") : servedSerial() == serial;
        });
    }

    /** Stops NSD (queries then time out or are refused); {@link #start()} brings it back on the same port. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public synchronized void close() {
        stop();
        if (directory != null) {
            FileUtils.deleteQuietly(directory.toFile());
            directory = null;
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** NSD's log and output, for failure messages. */
    public String log() {
        try {
            StringBuilder out = new StringBuilder();
            for (String file : List.of("nsd.log", "nsd.out")) {
                Path path = directory.resolve(file);
                if (Files.exists(path)) {
                    out.append(Files.readString(path, StandardCharsets.UTF_8));
                }
            }
            return out.toString();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void reloadIfRunning() {
        if (process == null) {
            return;
        }
        if (namespace != null) {
            throw new IllegalStateException("records of a namespaced test DNS are set before it starts");
        }
        serial++;
        try {
            writeFiles();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // SIGHUP: NSD re-reads zone files whose mtime changed
        Peers.Result hup = Peers.run(List.of("kill", "-HUP", String.valueOf(process.pid())), null, 10);
        if (hup.exitCode() != 0) {
            throw new IllegalStateException("kill -HUP " + process.pid() + ": " + hup.output());
        }
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> servedSerial() == serial);
    }

    /** The SOA serial NSD serves for every zone (the lowest), -1 when it does not answer. */
    private long servedSerial() {
        long lowest = Long.MAX_VALUE;
        for (String origin : origins) {
            try {
                SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
                resolver.setTimeout(Duration.ofMillis(500));
                Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(origin), Type.SOA, DClass.IN)));
                if (response.getRcode() != Rcode.NOERROR) {
                    return -1;
                }
                long zoneSerial = response.getSection(Section.ANSWER).stream().filter(SOARecord.class::isInstance)
                    .mapToLong(record -> ((SOARecord) record).getSerial()).findFirst().orElse(-1);
                lowest = Math.min(lowest, zoneSerial);
            } catch (IOException e) {
                return -1;
            }
        }
        return lowest;
    }

    private void writeFiles() throws IOException {
        StringBuilder conf = new StringBuilder()
            .append("server:\n")
            .append("    ip-address: 127.0.0.1@").append(port).append('\n')
            .append("    port: ").append(port).append('\n')
            .append("    username: \"\"\n")
            .append("    chroot: \"\"\n")
            .append("    zonesdir: \"").append(directory).append("\"\n")
            .append("    database: \"\"\n")
            .append("    zonelistfile: \"").append(directory.resolve("zone.list")).append("\"\n")
            .append("    xfrdfile: \"").append(directory.resolve("xfrd.state")).append("\"\n")
            .append("    xfrdir: \"").append(directory).append("\"\n")
            .append("    pidfile: \"").append(directory.resolve("nsd.pid")).append("\"\n")
            .append("    logfile: \"").append(directory.resolve("nsd.log")).append("\"\n")
            .append("    verbosity: 1\n")
            .append("    hide-version: yes\n")
            .append("    server-count: 1\n")
            .append("    reuseport: no\n")
            .append("    rrl-ratelimit: 0\n")
            .append("    rrl-whitelist-ratelimit: 0\n")
            .append("remote-control:\n")
            .append("    control-enable: no\n");
        for (String origin : origins) {
            conf.append("zone:\n    name: \"").append(origin).append("\"\n    zonefile: \"").append(origin).append("zone\"\n");
            StringBuilder zone = new StringBuilder()
                .append("$ORIGIN ").append(origin).append('\n')
                .append("$TTL 5\n")
                .append("@ IN SOA ns.").append(origin).append(" hostmaster.").append(origin).append(' ').append(serial)
                .append(" 3600 600 86400 5\n")
                .append("@ IN NS ns.").append(origin).append('\n')
                .append("ns IN A 127.0.0.1\n");
            for (Rr rr : records.getOrDefault(origin, List.of())) {
                zone.append(rr.owner()).append(" IN ").append(rr.type()).append(' ').append(rr.rdata()).append('\n');
            }
            Path file = directory.resolve(origin + "zone");
            Files.writeString(file, zone.toString(), StandardCharsets.ISO_8859_1);
            // NSD reloads by mtime: make each version visibly newer, even within one second
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(serial)));
        }
        Files.writeString(directory.resolve("nsd.conf"), conf.toString(), StandardCharsets.UTF_8);
    }

    private String zoneOf(String owner) {
        return origins.stream().filter(origin -> owner.equals(origin) || owner.endsWith("." + origin))
            .max((a, b) -> Integer.compare(a.length(), b.length()))
            .orElseThrow(() -> new IllegalArgumentException(owner + " is in none of the zones " + origins));
    }

    private static String absolute(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower : lower + ".";
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
