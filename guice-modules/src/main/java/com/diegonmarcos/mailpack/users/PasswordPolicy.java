package com.diegonmarcos.mailpack.users;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import com.google.common.collect.ImmutableSet;

/**
 * What a new password must be, checked when a password is set (never at login, so existing users are
 * not locked out). In this order, the first rule broken is named in the refusal:
 * <ol>
 *   <li>at least {@value #MIN_LENGTH} characters (counted as Unicode code points);</li>
 *   <li>not a placeholder ({@code <your passphrase>}) nor an example published in mailpack's own
 *       banner or documentation (they are public);</li>
 *   <li>not containing the user name (the address's local part, case-insensitive, also in leet
 *       spelling) nor the domain's name;</li>
 *   <li>not in the bundled list of common long passwords, even with digits or symbols added at either
 *       end or with leet spelling ({@code P@ssw0rd…});</li>
 *   <li>not only common words (password, welcome, qwerty…) with digits or symbols
 *       ({@code Password1234567!});</li>
 *   <li>not a sequence ({@code 1234…}, {@code abcd…}, a keyboard row), not a shorter password repeated
 *       ({@code abcdabcd…}), and at least {@value #MIN_DISTINCT} different characters.</li>
 * </ol>
 * The word rules need no dictionary library: the bundled lists are small, and what they do not hold
 * the length rule makes expensive to guess.
 */
public final class PasswordPolicy {
    public static final int MIN_LENGTH = 16;
    public static final int MIN_DISTINCT = 6;
    private static final String COMMON_PASSWORDS = "common-passwords.txt";
    private static final String COMMON_WORDS = "common-words.txt";
    private static final String PUBLISHED_EXAMPLES = "published-examples.txt";
    /** Shorter user or domain names are not looked for inside a password (too many false matches). */
    private static final int MIN_NAME_LENGTH = 3;
    private static final int MIN_DOMAIN_LABEL_LENGTH = 4;
    private static final List<String> SEQUENCES = List.of(
        "abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm", "azertyuiopqsdfghjklmwxcvbn");

    private final Set<String> common;
    private final Set<String> words;
    private final Set<String> examples;
    private final int longestWord;

    public PasswordPolicy(Set<String> commonPasswords, Set<String> commonWords, Set<String> publishedExamples) {
        this.common = withSpellings(commonPasswords);
        this.words = commonWords.stream().map(PasswordPolicy::lettersOnly).filter(w -> !w.isEmpty()).collect(ImmutableSet.toImmutableSet());
        this.examples = withSpellings(publishedExamples);
        this.longestWord = words.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Each entry as written (lower case) and as {@link #spellings} turns it, so disguises match. */
    private static Set<String> withSpellings(Set<String> entries) {
        return entries.stream()
            .map(entry -> entry.toLowerCase(Locale.ROOT))
            .flatMap(entry -> Stream.concat(Stream.of(entry), spellings(entry).stream()))
            .filter(entry -> !entry.isEmpty())
            .collect(ImmutableSet.toImmutableSet());
    }

    public static PasswordPolicy withBundledList() {
        return new PasswordPolicy(readList(COMMON_PASSWORDS), readList(COMMON_WORDS), readList(PUBLISHED_EXAMPLES));
    }

    private static Set<String> readList(String resource) {
        try (InputStream in = PasswordPolicy.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            ImmutableSet.Builder<String> entries = ImmutableSet.builder();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    entries.add(line.strip());
                }
            }
            return entries.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param username the account the password is for ({@code diego@diegonmarcos.com}), or null if unknown
     * @throws WeakPasswordException naming the rule that the password breaks
     */
    public void check(String username, String password) {
        if (password == null) {
            throw new WeakPasswordException("a password is required");
        }
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            throw new WeakPasswordException("the password must be at least " + MIN_LENGTH + " characters long (it has " + length + ")");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (isPlaceholder(lower)) {
            throw new WeakPasswordException("the password is a placeholder (<...>): put your own passphrase in its place");
        }
        List<String> spellings = spellings(lower);
        if (examples.contains(lower) || spellings.stream().anyMatch(examples::contains)) {
            throw new WeakPasswordException("the password is an example published in mailpack's documentation: choose your own");
        }
        if (username != null) {
            checkNames(username.toLowerCase(Locale.ROOT), lower, spellings);
        }
        if (common.contains(lower) || spellings.stream().anyMatch(common::contains)) {
            throw new WeakPasswordException("the password is in the list of common passwords");
        }
        if (spellings.stream().map(PasswordPolicy::lettersOnly).anyMatch(this::isOnlyCommonWords)) {
            throw new WeakPasswordException("the password is made of common words with only digits or symbols added (like Password1234!)");
        }
        String alphanumeric = lower.codePoints().filter(Character::isLetterOrDigit)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        if (isSequence(alphanumeric)) {
            throw new WeakPasswordException("the password is a sequence (like 1234..., abcd... or a keyboard row)");
        }
        if (isRepetition(password)) {
            throw new WeakPasswordException("the password is a shorter sequence repeated");
        }
        long distinct = password.codePoints().distinct().count();
        if (distinct < MIN_DISTINCT) {
            throw new WeakPasswordException("the password must have at least " + MIN_DISTINCT + " different characters (it has " + distinct + ")");
        }
    }

    /**
     * {@code <your passphrase>}: what the banner and the docs show in place of a password. Only a
     * password wrapped whole in angle brackets, so that generated passwords with {@code <} and
     * {@code >} inside still pass.
     */
    private static boolean isPlaceholder(String lower) {
        String stripped = lower.strip();
        return stripped.startsWith("<") && stripped.endsWith(">");
    }

    private static void checkNames(String username, String lower, List<String> spellings) {
        int at = username.lastIndexOf('@');
        String local = at < 0 ? username : username.substring(0, at);
        if (contains(lower, spellings, username) || contains(lower, spellings, local) || contains(lower, spellings, lettersOnly(local))) {
            throw new WeakPasswordException("the password contains the user name");
        }
        if (at >= 0) {
            String[] labels = username.substring(at + 1).split("\\.");
            String name = labels.length >= 2 ? labels[labels.length - 2] : labels[0];
            if (name.length() >= MIN_DOMAIN_LABEL_LENGTH && contains(lower, spellings, name)) {
                throw new WeakPasswordException("the password contains the domain name");
            }
        }
    }

    private static boolean contains(String lower, List<String> spellings, String name) {
        if (name.codePointCount(0, name.length()) < MIN_NAME_LENGTH) {
            return false;
        }
        return lower.contains(name)
            || spellings.stream().anyMatch(s -> s.contains(name) || lettersOnly(s).contains(name));
    }

    /**
     * The password undisguised, as people disguise a weak one: digits and symbols cut from both ends
     * ({@code password2024!}), leet spelling undone ({@code 0→o, 1→i or l, 3→e, 4→a, 5→s, 7→t, 8→b,
     * @→a, $→s, !→i}), or both ({@code P@ssw0rd1234}).
     */
    static List<String> spellings(String lower) {
        String inner = stripDecoration(lower);
        return List.of(inner, unleet(inner, 'i'), unleet(inner, 'l'),
            stripDecoration(unleet(lower, 'i')), stripDecoration(unleet(lower, 'l')));
    }

    private static String stripDecoration(String lower) {
        int start = 0;
        int end = lower.length();
        while (start < end && !Character.isLetter(lower.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetter(lower.charAt(end - 1))) {
            end--;
        }
        return lower.substring(start, end);
    }

    private static String unleet(String inner, char one) {
        StringBuilder plain = new StringBuilder(inner.length());
        for (char c : inner.toCharArray()) {
            switch (c) {
                case '0': plain.append('o'); break;
                case '1': plain.append(one); break;
                case '3': plain.append('e'); break;
                case '4': case '@': plain.append('a'); break;
                case '5': case '$': plain.append('s'); break;
                case '7': case '+': plain.append('t'); break;
                case '8': plain.append('b'); break;
                case '!': case '|': plain.append(one); break;
                default: plain.append(c);
            }
        }
        return plain.toString();
    }

    static String lettersOnly(String text) {
        return text.toLowerCase(Locale.ROOT).codePoints().filter(Character::isLetter)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /** Whether {@code letters} (non-empty) splits entirely into common words ({@code welcomepassword}). */
    private boolean isOnlyCommonWords(String letters) {
        if (letters.isEmpty()) {
            return false;
        }
        boolean[] splits = new boolean[letters.length() + 1];
        splits[0] = true;
        for (int end = 1; end <= letters.length(); end++) {
            for (int start = Math.max(0, end - longestWord); start < end && !splits[end]; start++) {
                splits[end] = splits[start] && words.contains(letters.substring(start, end));
            }
        }
        return splits[letters.length()];
    }

    /** The whole text runs forwards or backwards along one alphabet or keyboard row, wrapping round. */
    private static boolean isSequence(String alphanumeric) {
        if (alphanumeric.length() < MIN_LENGTH / 2) {
            return false;
        }
        for (String sequence : SEQUENCES) {
            for (int step : new int[] {1, -1}) {
                if (runsAlong(alphanumeric, sequence, step)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean runsAlong(String text, String sequence, int step) {
        int position = sequence.indexOf(text.charAt(0));
        for (int i = 1; i < text.length(); i++) {
            if (position < 0) {
                return false;
            }
            int next = Math.floorMod(position + step, sequence.length());
            if (sequence.charAt(next) != text.charAt(i)) {
                return false;
            }
            position = next;
        }
        return position >= 0;
    }

    /** A chunk shorter than the minimum length, repeated (at least twice) to make up the password. */
    private static boolean isRepetition(String password) {
        int[] codePoints = password.codePoints().toArray();
        for (int unit = 1; unit < MIN_LENGTH && unit * 2 <= codePoints.length; unit++) {
            boolean repeats = true;
            for (int i = unit; i < codePoints.length && repeats; i++) {
                repeats = codePoints[i] == codePoints[i - unit];
            }
            if (repeats) {
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
