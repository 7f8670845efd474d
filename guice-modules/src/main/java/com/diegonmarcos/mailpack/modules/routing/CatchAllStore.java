package com.diegonmarcos.mailpack.modules.routing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.mail.internet.AddressException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;

import com.diegonmarcos.mailpack.routing.CatchAllRule;
import com.diegonmarcos.mailpack.routing.CatchAllRules;
import com.diegonmarcos.mailpack.routing.SourceRouteForms;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

/**
 * Catch-all rules: the ones in {@code conf/recipients.xml}, overridden per domain at run time over
 * webadmin. Overrides are kept in {@code var/catchall.json} (written atomically) so they survive a
 * restart; removing an override returns the domain to its {@code conf/} rule. An override may also
 * switch the catch-all off for a domain that has one in {@code conf/}.
 */
public final class CatchAllStore implements CatchAllRules {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The JSON form of one override; {@code enabled=false} means "no catch-all for this domain".
     * {@code sourceRouteForms} absent (files written before it existed): {@code refuse}.
     */
    public static final class Setting {
        public boolean enabled = true;
        public String target;
        public List<String> excluded = List.of();
        public String sourceRouteForms;
    }

    private final Map<Domain, CatchAllRule> configured;
    private final Path overridesFile;
    private volatile Map<Domain, Optional<CatchAllRule>> overrides;

    public CatchAllStore(Map<Domain, CatchAllRule> configured, Path overridesFile) throws IOException {
        this.configured = ImmutableMap.copyOf(configured);
        this.overridesFile = overridesFile;
        this.overrides = load(overridesFile);
    }

    @Override
    public Optional<CatchAllRule> forDomain(Domain domain) {
        Optional<CatchAllRule> override = overrides.get(domain);
        if (override != null) {
            return override;
        }
        return Optional.ofNullable(configured.get(domain));
    }

    @Override
    public Map<Domain, CatchAllRule> all() {
        Map<Domain, CatchAllRule> all = new TreeMap<>(java.util.Comparator.comparing(Domain::asString));
        all.putAll(configured);
        overrides.forEach((domain, rule) -> {
            if (rule.isPresent()) {
                all.put(domain, rule.get());
            } else {
                all.remove(domain);
            }
        });
        return all;
    }

    /** @return "webadmin" when the domain's rule comes from an override, "conf" otherwise */
    public String sourceOf(Domain domain) {
        return overrides.containsKey(domain) ? "webadmin" : "conf";
    }

    public synchronized void set(Domain domain, Optional<CatchAllRule> rule) throws IOException {
        Map<Domain, Optional<CatchAllRule>> next = new LinkedHashMap<>(overrides);
        next.put(domain, rule);
        save(next);
    }

    public synchronized void reset(Domain domain) throws IOException {
        Map<Domain, Optional<CatchAllRule>> next = new LinkedHashMap<>(overrides);
        next.remove(domain);
        save(next);
    }

    private void save(Map<Domain, Optional<CatchAllRule>> next) throws IOException {
        Map<String, Setting> json = new TreeMap<>();
        next.forEach((domain, rule) -> {
            Setting override = new Setting();
            override.enabled = rule.isPresent();
            override.target = rule.map(r -> r.target().asString()).orElse(null);
            override.excluded = rule.map(r -> List.copyOf(r.excluded())).orElse(List.of());
            override.sourceRouteForms = rule.map(r -> r.sourceRouteForms().asString()).orElse(null);
            json.put(domain.asString(), override);
        });
        Files.createDirectories(overridesFile.getParent());
        Path temporary = overridesFile.resolveSibling(overridesFile.getFileName() + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), json);
        Files.move(temporary, overridesFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        overrides = ImmutableMap.copyOf(next);
    }

    private static Map<Domain, Optional<CatchAllRule>> load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return ImmutableMap.of();
        }
        Map<String, Setting> json = JSON.readValue(file.toFile(), new TypeReference<Map<String, Setting>>() { });
        ImmutableMap.Builder<Domain, Optional<CatchAllRule>> result = ImmutableMap.builder();
        for (Map.Entry<String, Setting> entry : json.entrySet()) {
            result.put(Domain.of(entry.getKey()), entry.getValue().enabled
                ? Optional.of(rule(entry.getValue().target, entry.getValue().excluded, entry.getValue().sourceRouteForms, file + ": " + entry.getKey()))
                : Optional.empty());
        }
        return result.build();
    }

    /** @param sourceRouteForms {@code refuse}, {@code accept}, or null for the default ({@code refuse}) */
    static CatchAllRule rule(String target, List<String> excluded, String sourceRouteForms, String where) throws IOException {
        MailAddress address;
        try {
            address = new MailAddress(target);
        } catch (AddressException | NullPointerException e) {
            throw new IOException(where + ": catch-all target '" + target + "' is not a mail address", e);
        }
        try {
            return new CatchAllRule(address, ImmutableSet.copyOf(excluded == null ? List.of() : excluded),
                sourceRouteForms == null ? SourceRouteForms.REFUSE : SourceRouteForms.parse(sourceRouteForms));
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }
}
