package com.diegonmarcos.mailpack.fuzz;

/** A finding: a parser broke its contract (a property of its result, or a round trip, does not hold). */
public final class Violation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Violation(String message) {
        super(message);
    }

    /** @param message built only when the condition fails (the targets check a lot per input) */
    public static void check(boolean condition, java.util.function.Supplier<String> message) {
        if (!condition) {
            throw new Violation(message.get());
        }
    }

    /** A readable excerpt of hostile text for a finding's message. */
    public static String show(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 300; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append("\\u").append(String.format("%04x", (int) c));
            }
        }
        return text.length() > 300 ? out + "...(" + text.length() + " chars)" : out.toString();
    }
}
