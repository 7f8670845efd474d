package com.diegonmarcos.mailpack.dmarc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.yaml.snakeyaml.Yaml;

import com.diegonmarcos.mailpack.dkim.AuthResult;
import com.diegonmarcos.mailpack.dkim.DkimResult;
import com.diegonmarcos.mailpack.dns.ZoneDns;

/**
 * A DMARC test vector from {@code src/test/resources/vectors/dmarc/*.yaml}: DNS records, the SMTP
 * facts (client IP, MAIL FROM, HELO), the From field values, the DKIM results (DKIM verification
 * has its own vectors), optional local policy and pct draw, and the expected verdicts. Every file
 * names its {@code source:}.
 */
public record DmarcVector(String file, Map<String, Object> data) {

    public static Stream<DmarcVector> all() {
        try {
            Path directory = Path.of(DmarcVector.class.getResource("/vectors/dmarc").toURI());
            try (Stream<Path> files = Files.list(directory)) {
                return files.filter(path -> path.toString().endsWith(".yaml")).sorted().map(DmarcVector::load)
                    .collect(Collectors.toList()).stream();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static DmarcVector load(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            Map<String, Object> data = new Yaml().load(in);
            if (!(data.get("source") instanceof String) || ((String) data.get("source")).isBlank()) {
                throw new IllegalStateException(path + " has no source:");
            }
            return new DmarcVector(path.getFileName().toString(), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String source() {
        return (String) data.get("source");
    }

    @SuppressWarnings("unchecked")
    public List<List<String>> records() {
        return (List<List<String>>) data.getOrDefault("dns", List.of());
    }

    public ZoneDns dns() {
        ZoneDns dns = new ZoneDns();
        for (List<String> record : records()) {
            dns.add(record.get(0), record.get(1), record.get(2));
        }
        return dns;
    }

    public String ip() {
        return (String) data.get("ip");
    }

    public String mailFrom() {
        return (String) data.getOrDefault("mailFrom", "");
    }

    public String helo() {
        return (String) data.getOrDefault("helo", "");
    }

    @SuppressWarnings("unchecked")
    public List<String> from() {
        return (List<String>) data.getOrDefault("from", List.of());
    }

    @SuppressWarnings("unchecked")
    public List<DkimResult> dkim() {
        return ((List<List<String>>) data.getOrDefault("dkim", List.of())).stream()
            .map(pair -> new DkimResult(AuthResult.valueOf(pair.get(0).toUpperCase(Locale.ROOT)), Optional.of(pair.get(1)),
                Optional.of("sel"), Optional.of("rsa-sha256"), Optional.of("@" + pair.get(1)), Optional.empty(), "", false,
                OptionalLong.empty()))
            .collect(Collectors.toList());
    }

    public int sample() {
        return ((Number) data.getOrDefault("sample", 0)).intValue();
    }

    @SuppressWarnings("unchecked")
    public LocalPolicy local() {
        Map<String, List<String>> local = (Map<String, List<String>>) data.getOrDefault("local", Map.of());
        return new LocalPolicy(LocalPolicy.networks(local.getOrDefault("trustedNetworks", List.of())),
            Set.copyOf(local.getOrDefault("trustedDomains", List.of())), Set.copyOf(local.getOrDefault("neverReject", List.of())));
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> expect() {
        return (Map<String, Object>) data.get("expect");
    }

    @Override
    public String toString() {
        return file;
    }
}
