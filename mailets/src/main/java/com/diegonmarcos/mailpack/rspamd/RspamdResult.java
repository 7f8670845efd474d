package com.diegonmarcos.mailpack.rspamd;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * rspamd's verdict on one message: its action ({@code reject}, {@code soft reject}, {@code greylist},
 * {@code add header}, {@code rewrite subject}, {@code no action}), score, the score at which it
 * rejects, the symbols that matched and its SMTP message when it gave one.
 */
public record RspamdResult(String action, double score, double requiredScore, List<String> symbols,
                           Optional<String> smtpMessage) {
    public RspamdResult {
        action = action.trim().toLowerCase(Locale.ROOT);
        symbols = List.copyOf(symbols);
    }

    /** {@code 3.20/15.00}. */
    public String scoreText() {
        return String.format(Locale.ROOT, "%.2f/%.2f", score, requiredScore);
    }
}
