package com.diegonmarcos.mailpack.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * The variables that the shipped configuration files refer to as {@code ${NAME}} or
 * {@code ${NAME:-default}}, so that an operator changes ports, paths and certificates without
 * editing a file.
 *
 * <p>Lookup order, first hit wins: explicit overrides (command line, test harness), Java system
 * properties, environment variables, {@code conf/mailpack.properties}, the port profile, then the
 * default written in the file. A variable with neither a value nor a default is a configuration
 * error that names the file and the variable.
 */
public final class ConfVariables {

    /** Where the server keeps {@code conf/} and {@code var/}; always set, never taken from outside. */
    public static final String HOME = "MAILPACK_HOME";
    public static final String PORTS = "MAILPACK_PORTS";

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)(?::-([^}]*))?}");

    /** Ports a non-root user may bind: the "unprivileged" profile. */
    static final Map<String, String> UNPRIVILEGED_PORTS = ImmutableMap.<String, String>builder()
        .put("MAILPACK_SMTP_PORT", "2525")
        .put("MAILPACK_SUBMISSION_PORT", "2587")
        .put("MAILPACK_SMTPS_PORT", "2465")
        .put("MAILPACK_IMAP_PORT", "1143")
        .put("MAILPACK_IMAPS_PORT", "1993")
        .put("MAILPACK_POP3S_PORT", "1995")
        .build();

    public enum PortProfile {
        STANDARD, UNPRIVILEGED;

        static PortProfile parse(String value) {
            switch (value.trim().toLowerCase()) {
                case "standard":
                    return STANDARD;
                case "unprivileged":
                    return UNPRIVILEGED;
                default:
                    throw new IllegalArgumentException(PORTS + " must be 'standard' or 'unprivileged', got '" + value + "'");
            }
        }
    }

    private final List<Map<String, String>> layers;

    private ConfVariables(List<Map<String, String>> layers) {
        this.layers = layers;
    }

    /**
     * @param home the working directory
     * @param overrides highest-priority values (command line, test harness; may be empty)
     * @param systemProperties usually {@link System#getProperties()}
     * @param environment usually {@link System#getenv()}
     * @param fileValues the content of {@code conf/mailpack.properties} (may be empty)
     */
    public static ConfVariables resolve(String home, Map<String, String> overrides, Map<String, String> systemProperties,
                                        Map<String, String> environment, Map<String, String> fileValues) {
        ConfVariables outside = new ConfVariables(List.of(Map.of(HOME, home), overrides, systemProperties, environment, fileValues));
        return outside.withDefaults(outside.portProfile() == PortProfile.UNPRIVILEGED ? UNPRIVILEGED_PORTS : Map.of());
    }

    /** The same variables, plus {@code defaults} for the names that have no value yet. */
    public ConfVariables withDefaults(Map<String, String> defaults) {
        return new ConfVariables(ImmutableList.<Map<String, String>>builder().addAll(layers).add(ImmutableMap.copyOf(defaults)).build());
    }

    public PortProfile portProfile() {
        return get(PORTS).map(PortProfile::parse).orElse(PortProfile.STANDARD);
    }

    public Optional<String> get(String name) {
        for (Map<String, String> layer : layers) {
            String value = layer.get(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(value.trim());
            }
        }
        return Optional.empty();
    }

    /** Comments are copied as they are: a reference in a comment is documentation, not configuration. */
    public enum Syntax {
        XML(Pattern.compile("<!--.*?-->", Pattern.DOTALL)),
        PROPERTIES(Pattern.compile("^[ \\t]*[#!].*$", Pattern.MULTILINE));

        private final Pattern comment;

        Syntax(Pattern comment) {
            this.comment = comment;
        }
    }

    /**
     * Replaces every {@code ${NAME}} / {@code ${NAME:-default}} outside comments.
     *
     * @param fileName used in the error message
     * @throws UndefinedVariableException when a reference has no value and no default
     */
    public String substitute(String fileName, String text, Syntax syntax) {
        Matcher comments = syntax.comment.matcher(text);
        StringBuilder result = new StringBuilder(text.length());
        int position = 0;
        while (comments.find()) {
            result.append(substituteOutsideComments(fileName, text.substring(position, comments.start())));
            result.append(comments.group());
            position = comments.end();
        }
        return result.append(substituteOutsideComments(fileName, text.substring(position))).toString();
    }

    private String substituteOutsideComments(String fileName, String text) {
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder result = new StringBuilder(text.length());
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = get(name)
                .or(() -> Optional.ofNullable(matcher.group(2)))
                .orElseThrow(() -> new UndefinedVariableException(fileName + ": variable ${" + name
                    + "} has no value and no default (set it in the environment or in conf/mailpack.properties)"));
            matcher.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    public static class UndefinedVariableException extends IllegalArgumentException {
        public UndefinedVariableException(String message) {
            super(message);
        }
    }
}
