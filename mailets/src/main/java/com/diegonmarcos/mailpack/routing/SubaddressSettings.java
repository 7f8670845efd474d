package com.diegonmarcos.mailpack.routing;

/**
 * Subaddressing settings from {@code conf/recipients.xml}: the separator ({@code +} by default) and
 * whether {@code diego+news@} is filed into diego's folder {@code news} when that folder exists.
 */
public final class SubaddressSettings {
    public static final SubaddressSettings DEFAULT = new SubaddressSettings("+", false);

    private final String separator;
    private final boolean deliverToFolder;

    public SubaddressSettings(String separator, boolean deliverToFolder) {
        if (separator == null || separator.isEmpty() || separator.contains("@") || separator.isBlank()) {
            throw new IllegalArgumentException("the subaddress separator must be a non-blank string without '@', got '" + separator + "'");
        }
        this.separator = separator;
        this.deliverToFolder = deliverToFolder;
    }

    public String separator() {
        return separator;
    }

    public boolean deliverToFolder() {
        return deliverToFolder;
    }
}
