package com.diegonmarcos.mailpack.modules.ratelimit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.diegonmarcos.mailpack.ratelimit.RateLimits;
import com.diegonmarcos.mailpack.ratelimit.SenderLimits;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Per-user sender limits set over webadmin, kept across restarts in {@code var/ratelimits-users.json}:
 * {@code {"user": {"messages": {"perHour": 500}, "recipients": {...}}}} (written whole, atomically).
 */
final class UserLimitsFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final RateLimits limits;

    UserLimitsFile(Path file, RateLimits limits) {
        this.file = file;
        this.limits = limits;
    }

    static void load(Path file, RateLimits limits) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        Map<String, Map<String, Map<String, Long>>> saved;
        try {
            saved = JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), new TypeReference<>() { });
        } catch (IOException e) {
            throw new IOException(file + ": not readable per-user rate limits (fix or delete it): " + e.getMessage(), e);
        }
        for (Map.Entry<String, Map<String, Map<String, Long>>> user : saved.entrySet()) {
            try {
                limits.setOverride(user.getKey(), fromCounts(user.getValue()));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + user.getKey() + ": " + e.getMessage(), e);
            }
        }
    }

    static SenderLimits fromCounts(Map<String, Map<String, Long>> body) {
        for (String key : body.keySet()) {
            if (!key.equals("messages") && !key.equals("recipients")) {
                throw new IllegalArgumentException("unknown field '" + key + "' (use messages, recipients)");
            }
        }
        return new SenderLimits(RateLimitConfig.limits(body.getOrDefault("messages", Map.of()), "messages"),
            RateLimitConfig.limits(body.getOrDefault("recipients", Map.of()), "recipients"));
    }

    static Map<String, Map<String, Long>> toCounts(SenderLimits limits) {
        Map<String, Map<String, Long>> view = new LinkedHashMap<>();
        view.put("messages", RateLimitConfig.counts(limits.messages()));
        view.put("recipients", RateLimitConfig.counts(limits.recipients()));
        return view;
    }

    synchronized void save() throws IOException {
        Map<String, Map<String, Map<String, Long>>> all = new TreeMap<>();
        limits.overrides().forEach((user, userLimits) -> all.put(user, toCounts(userLimits)));
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, JSON.writeValueAsString(all), StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
