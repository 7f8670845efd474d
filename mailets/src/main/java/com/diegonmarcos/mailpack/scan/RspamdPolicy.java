package com.diegonmarcos.mailpack.scan;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.diegonmarcos.mailpack.rspamd.RspamdResult;

/**
 * rspamd verdict mapping. Inbound mail (no SMTP AUTH): by rspamd's action, through {@code actions}
 * (an action missing from the map is delivered to the INBOX). Authenticated submissions: by score,
 * with their own thresholds, because rspamd's inbound actions do not fit mail our own users send
 * (a hijacked account sending spam is refused with 550, so the client sees it, never dropped).
 */
public record RspamdPolicy(Map<String, SpamOutcome> actions, double outboundRejectScore,
                           double outboundTempFailScore, FailurePolicy onFailure) {
    public static final Map<String, SpamOutcome> DEFAULT_ACTIONS = defaults();

    public RspamdPolicy {
        Map<String, SpamOutcome> normalized = new LinkedHashMap<>();
        actions.forEach((action, outcome) -> normalized.put(action.trim().toLowerCase(Locale.ROOT), outcome));
        actions = Map.copyOf(normalized);
    }

    public SpamOutcome decide(RspamdResult result, boolean authenticated) {
        if (authenticated) {
            if (result.score() >= outboundRejectScore) {
                return SpamOutcome.REJECT;
            }
            return result.score() >= outboundTempFailScore ? SpamOutcome.TEMPFAIL : SpamOutcome.INBOX;
        }
        return actions.getOrDefault(result.action(), SpamOutcome.INBOX);
    }

    /**
     * @param spec {@code action:outcome} pairs, comma-separated, e.g.
     *     {@code reject:reject, soft reject:tempfail, add header:junk}; they override the defaults
     */
    public static Map<String, SpamOutcome> parseActions(String spec) {
        Map<String, SpamOutcome> actions = new LinkedHashMap<>(DEFAULT_ACTIONS);
        for (String pair : spec.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("actions: '" + pair.trim() + "' is not action:outcome");
            }
            String action = pair.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!DEFAULT_ACTIONS.containsKey(action)) {
                throw new IllegalArgumentException("actions: unknown rspamd action '" + action + "' (known: " + DEFAULT_ACTIONS.keySet() + ")");
            }
            actions.put(action, SpamOutcome.parse("actions: " + action, pair.substring(colon + 1)));
        }
        return actions;
    }

    private static Map<String, SpamOutcome> defaults() {
        Map<String, SpamOutcome> actions = new LinkedHashMap<>();
        actions.put("reject", SpamOutcome.REJECT);
        actions.put("soft reject", SpamOutcome.TEMPFAIL);
        actions.put("greylist", SpamOutcome.TEMPFAIL);
        actions.put("rewrite subject", SpamOutcome.JUNK);
        actions.put("add header", SpamOutcome.JUNK);
        actions.put("no action", SpamOutcome.INBOX);
        return java.util.Collections.unmodifiableMap(actions);
    }
}
