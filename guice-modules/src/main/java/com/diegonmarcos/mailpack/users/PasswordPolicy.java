package com.diegonmarcos.mailpack.users;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import com.google.common.collect.ImmutableSet;

/**
 * What a new password must be: at least {@value #MIN_LENGTH} characters (counted as Unicode code
 * points), not in the bundled list of common long passwords, and not one short chunk repeated
 * ({@code abcdabcdabcdabcd}). Checked when a password is set, never at login, so existing users are
 * not locked out.
 */
public final class PasswordPolicy {
    public static final int MIN_LENGTH = 16;
    private static final String COMMON_PASSWORDS = "common-passwords.txt";
    private static final int MAX_REPEATED_UNIT = 4;

    private final Set<String> common;

    public PasswordPolicy(Set<String> commonPasswords) {
        this.common = commonPasswords.stream().map(p -> p.toLowerCase(Locale.ROOT)).collect(ImmutableSet.toImmutableSet());
    }

    public static PasswordPolicy withBundledList() {
        try (InputStream in = PasswordPolicy.class.getResourceAsStream(COMMON_PASSWORDS)) {
            if (in == null) {
                throw new IllegalStateException(COMMON_PASSWORDS + " is missing from the classpath");
            }
            ImmutableSet.Builder<String> passwords = ImmutableSet.builder();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    passwords.add(line.strip());
                }
            }
            return new PasswordPolicy(passwords.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws WeakPasswordException naming the rule that the password breaks */
    public void check(String password) {
        if (password == null) {
            throw new WeakPasswordException("a password is required");
        }
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            throw new WeakPasswordException("the password must be at least " + MIN_LENGTH + " characters long (it has " + length + ")");
        }
        if (common.contains(password.toLowerCase(Locale.ROOT))) {
            throw new WeakPasswordException("the password is in the list of common passwords");
        }
        if (isRepetition(password)) {
            throw new WeakPasswordException("the password is a short sequence repeated");
        }
    }

    private static boolean isRepetition(String password) {
        for (int unit = 1; unit <= MAX_REPEATED_UNIT; unit++) {
            String chunk = password.substring(0, Math.min(unit, password.length()));
            if (chunk.repeat(password.length() / unit + 1).startsWith(password)) {
                return true;
            }
        }
        return false;
    }

    /** An {@link IllegalArgumentException}, so that webadmin answers 400 with the reason as details. */
    public static class WeakPasswordException extends IllegalArgumentException {
        public WeakPasswordException(String message) {
            super("Password policy: " + message);
        }
    }
}
