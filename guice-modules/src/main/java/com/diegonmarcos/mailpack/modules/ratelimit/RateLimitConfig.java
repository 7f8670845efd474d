package com.diegonmarcos.mailpack.modules.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;

import com.diegonmarcos.mailpack.ratelimit.Limit;
import com.diegonmarcos.mailpack.ratelimit.LoginGuardSettings;
import com.diegonmarcos.mailpack.ratelimit.RateLimitSettings;
import com.diegonmarcos.mailpack.ratelimit.SenderLimits;

/** Reads {@code conf/ratelimits.xml}; every error names the file and the setting. */
final class RateLimitConfig {
    static final String FILE = "conf/ratelimits.xml";
    static final List<String> WINDOWS = List.of("perMinute", "perHour", "perDay");
    private static final List<Duration> WINDOW_DURATIONS = List.of(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1));
    private static final Set<String> KNOWN = Set.of(
        "store[@type]", "store[@redisUri]", "store[@timeout]", "store[@onFailure]",
        "logins[@ipFailures]", "logins[@accountFailures]", "logins[@window]", "logins[@ban]", "logins[@maxBan]");
    private static final Set<String> LIMIT_ELEMENTS = Set.of("sender.messages", "sender.recipients", "inbound.connections",
        "inbound.messages", "inbound.recipientMessages");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([smhd]?)");

    enum Store { memory, redis }

    final Store store;
    final String redisUri;
    final Duration timeout;
    final boolean failOpen;
    final RateLimitSettings limits;
    final LoginGuardSettings logins;

    RateLimitConfig(HierarchicalConfiguration<ImmutableNode> conf) throws ConfigurationException {
        for (Iterator<String> keys = conf.getKeys(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KNOWN.contains(key) && !isLimitKey(key)) {
                throw new ConfigurationException(FILE + ": unknown setting " + key);
            }
        }
        String type = conf.getString("store[@type]", "memory");
        try {
            store = Store.valueOf(type.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": store type must be memory or redis, not '" + type + "'");
        }
        redisUri = conf.getString("store[@redisUri]", "redis://127.0.0.1:6379");
        if (!redisUri.startsWith("redis://") && !redisUri.startsWith("rediss://")) {
            throw new ConfigurationException(FILE + ": store redisUri must start with redis:// or rediss://, not '" + redisUri + "'");
        }
        timeout = duration(conf, "store[@timeout]", "1s");
        String onFailure = conf.getString("store[@onFailure]", "allow");
        if (!onFailure.equals("allow") && !onFailure.equals("refuse")) {
            throw new ConfigurationException(FILE + ": store onFailure must be allow or refuse, not '" + onFailure + "'");
        }
        failOpen = onFailure.equals("allow");
        limits = new RateLimitSettings(
            new SenderLimits(limits(conf, "sender.messages", "messages"), limits(conf, "sender.recipients", "recipients")),
            limits(conf, "inbound.connections", "connections"),
            limits(conf, "inbound.messages", "messages"),
            limits(conf, "inbound.recipientMessages", "messages"));
        try {
            logins = new LoginGuardSettings(integer(conf, "logins[@ipFailures]", 5), integer(conf, "logins[@accountFailures]", 20),
                duration(conf, "logins[@window]", "10m"), duration(conf, "logins[@ban]", "15m"), duration(conf, "logins[@maxBan]", "24h"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": logins: " + e.getMessage());
        }
    }

    private static boolean isLimitKey(String key) {
        int at = key.indexOf("[@");
        return at > 0 && LIMIT_ELEMENTS.contains(key.substring(0, at)) && WINDOWS.contains(key.substring(at + 2, key.length() - 1));
    }

    private static List<Limit> limits(HierarchicalConfiguration<ImmutableNode> conf, String element, String what) throws ConfigurationException {
        List<Limit> limits = new ArrayList<>();
        for (int i = 0; i < WINDOWS.size(); i++) {
            long count = integer(conf, element + "[@" + WINDOWS.get(i) + "]", 0);
            if (count > 0) {
                try {
                    limits.add(new Limit(what, count, WINDOW_DURATIONS.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException(FILE + ": " + element + "[@" + WINDOWS.get(i) + "]: " + e.getMessage());
                }
            }
        }
        return limits;
    }

    /** Limits from a webadmin body: window name → count, 0 or absent = no limit. */
    static List<Limit> limits(java.util.Map<String, Long> counts, String what) {
        List<Limit> limits = new ArrayList<>();
        for (String name : counts.keySet()) {
            if (!WINDOWS.contains(name)) {
                throw new IllegalArgumentException("unknown window '" + name + "' (use " + WINDOWS + ")");
            }
        }
        for (int i = 0; i < WINDOWS.size(); i++) {
            Long count = counts.get(WINDOWS.get(i));
            if (count != null && count < 0) {
                throw new IllegalArgumentException(what + " " + WINDOWS.get(i) + " must be 0 (no limit) or positive");
            }
            if (count != null && count > 0) {
                limits.add(new Limit(what, count, WINDOW_DURATIONS.get(i)));
            }
        }
        return limits;
    }

    static java.util.Map<String, Long> counts(List<Limit> limits) {
        java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (Limit limit : limits) {
            counts.put(WINDOWS.get(WINDOW_DURATIONS.indexOf(limit.window())), limit.count());
        }
        return counts;
    }

    private static int integer(HierarchicalConfiguration<ImmutableNode> conf, String key, int defaultValue) throws ConfigurationException {
        String value = conf.getString(key, null);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(FILE + ": " + key + " must be 0 (no limit) or a positive number, not '" + value + "'");
        }
    }

    static Duration duration(HierarchicalConfiguration<ImmutableNode> conf, String key, String defaultValue) throws ConfigurationException {
        String value = conf.getString(key, defaultValue).trim();
        Matcher matcher = DURATION.matcher(value);
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new ConfigurationException(FILE + ": " + key + " must be a positive duration like 30s, 10m, 1h, 1d, not '" + value + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        switch (matcher.group(2)) {
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            case "d":
                return Duration.ofDays(amount);
            default:
                return Duration.ofSeconds(amount);
        }
    }
}
