package com.diegonmarcos.mailpack.modules.dkim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.dkim.DkimAlgorithm;
import com.diegonmarcos.mailpack.dkim.DkimKeys;
import com.diegonmarcos.mailpack.dkim.SigningKey;
import com.diegonmarcos.mailpack.server.OwnerOnlyFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * DKIM keys of the local domains, in {@code var/dkim/<domain>/}: one PKCS#8 PEM file per selector
 * ({@code <selector>.pem}, 0600) and {@code state.json} (which selector signs, since when). Keys
 * are generated on first use of a domain; rotation makes a pending pair that signs only once
 * confirmed (or after {@code activationDelay}), and keeps the pair it replaces listed as retiring
 * for {@code gracePeriod}. Domains with keys in {@code conf/dkim.xml} use those PEM files instead.
 */
public final class DkimKeyStore implements DkimKeys {
    private static final Logger LOGGER = LoggerFactory.getLogger(DkimKeyStore.class);
    static final String STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    /** Rotation timing and keys supplied as files. */
    public record Settings(Optional<Duration> activationDelay, Duration gracePeriod, Map<String, List<ConfiguredKey>> configured) {
        public Settings {
            configured = Map.copyOf(configured);
        }
    }

    /** A key from conf/dkim.xml. */
    public record ConfiguredKey(String selector, Path privateKey) {
    }

    public enum State { PENDING, ACTIVE, RETIRING, RETIRED }

    /** One key as the routes and the records show it. */
    public record KeyView(String selector, DkimAlgorithm algorithm, State state, String txtRecord, Instant created,
                          Optional<Instant> activated, Optional<Instant> activateAfter, Optional<Instant> replaced,
                          Optional<Instant> retiredAfter) {
    }

    /** The JSON form of one key in state.json. */
    static final class Entry {
        public String selector;
        public String algorithm;
        public String created;
        public String activateAfter;
        public String activated;
        public String replaced;
    }

    static final class StateFile {
        public List<Entry> keys = new ArrayList<>();
    }

    private final Path directory;
    private final Settings settings;
    private final Clock clock;
    private final Predicate<String> isLocalDomain;
    private final Map<String, SigningKey> loaded = new ConcurrentHashMap<>();
    /** state.json of each domain as last read or written: this store is its only writer. */
    private final Map<String, StateFile> states = new ConcurrentHashMap<>();
    private final Map<String, List<SigningKey>> configured = new LinkedHashMap<>();

    /**
     * @param directory {@code var/dkim}
     * @param isLocalDomain keys are made only for the domains it accepts
     * @throws IOException naming the file, when a configured PEM file cannot be used
     */
    public DkimKeyStore(Path directory, Settings settings, Clock clock, Predicate<String> isLocalDomain) throws IOException {
        this.directory = directory;
        this.settings = settings;
        this.clock = clock;
        this.isLocalDomain = isLocalDomain;
        for (Map.Entry<String, List<ConfiguredKey>> domain : settings.configured().entrySet()) {
            List<SigningKey> keys = new ArrayList<>();
            for (ConfiguredKey key : domain.getValue()) {
                try {
                    keys.add(SigningKey.of(key.selector(), PemKeys.read(key.privateKey())));
                } catch (GeneralSecurityException | IllegalArgumentException e) {
                    throw new IOException(key.privateKey() + ": " + e.getMessage(), e);
                }
            }
            configured.put(normalize(domain.getKey()), List.copyOf(keys));
        }
    }

    public Settings settings() {
        return settings;
    }

    public boolean isConfigured(String domain) {
        return configured.containsKey(normalize(domain));
    }

    @Override
    public List<SigningKey> signingKeys(String domain) {
        String name;
        try {
            name = normalize(domain);
        } catch (IllegalArgumentException e) {
            return List.of(); // "localhost", an address literal...: not a domain we sign for
        }
        if (configured.containsKey(name)) {
            return configured.get(name);
        }
        if (!isLocalDomain.test(name)) {
            return List.of();
        }
        try {
            synchronized (this) {
                StateFile state = ensure(name);
                return active(state).stream().map(entry -> load(name, entry)).collect(Collectors.toList());
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("DKIM keys of " + name + " in " + directory.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /** Makes the keys of {@code domain} if it has none. @return true when keys were generated */
    public synchronized boolean ensureKeys(String domain) throws IOException, GeneralSecurityException {
        String name = normalize(domain);
        if (configured.containsKey(name) || Files.isRegularFile(directory.resolve(name).resolve(STATE))) {
            return false;
        }
        ensure(name);
        return true;
    }

    /** Every key of the domain, newest first. */
    public synchronized List<KeyView> keys(String domain) throws IOException, GeneralSecurityException {
        String name = normalize(domain);
        if (configured.containsKey(name)) {
            return configured.get(name).stream()
                .map(key -> new KeyView(key.selector(), key.algorithm(), State.ACTIVE, key.txtRecord(), Instant.EPOCH,
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()))
                .collect(Collectors.toList());
        }
        StateFile state = ensure(name);
        Instant now = clock.instant();
        List<KeyView> views = new ArrayList<>();
        for (Entry entry : state.keys) {
            views.add(view(name, entry, now));
        }
        views.sort(Comparator.comparing(KeyView::created).reversed().thenComparing(KeyView::selector));
        return views;
    }

    /**
     * A new ed25519 + RSA pair, pending.
     *
     * @throws IllegalStateException when the domain's keys come from conf/dkim.xml, or a rotation is pending
     */
    public synchronized List<KeyView> rotate(String domain) throws IOException, GeneralSecurityException {
        String name = normalize(domain);
        if (configured.containsKey(name)) {
            throw new IllegalStateException("the keys of " + name + " come from conf/dkim.xml: replace the files there to rotate");
        }
        StateFile state = ensure(name);
        if (state.keys.stream().anyMatch(entry -> entry.activated == null)) {
            throw new IllegalStateException("a rotation of " + name + " is already pending: confirm or cancel it first");
        }
        Instant now = clock.instant();
        List<Entry> made = new ArrayList<>();
        for (DkimAlgorithm algorithm : List.of(DkimAlgorithm.ED25519_SHA256, DkimAlgorithm.RSA_SHA256)) {
            Entry entry = generate(name, algorithm, state, now);
            settings.activationDelay().ifPresent(delay -> entry.activateAfter = now.plus(delay).toString());
            state.keys.add(entry);
            made.add(entry);
        }
        save(name, state);
        LOGGER.info("DKIM rotation of {}: new keys {} pending{}", name, selectors(made),
            settings.activationDelay().map(delay -> ", signing with them from " + now.plus(delay)).orElse(" until confirmed"));
        return made.stream().map(entry -> view(name, entry, now)).collect(Collectors.toList());
    }

    /** The pending keys, if any. */
    public synchronized List<KeyView> pending(String domain) throws IOException, GeneralSecurityException {
        return keys(domain).stream().filter(key -> key.state() == State.PENDING).collect(Collectors.toList());
    }

    /**
     * Signing switches to the pending keys; the keys they replace start retiring.
     *
     * @throws IllegalStateException when nothing is pending
     */
    public synchronized List<KeyView> confirm(String domain) throws IOException, GeneralSecurityException {
        String name = normalize(domain);
        StateFile state = ensure(name);
        if (state.keys.stream().noneMatch(entry -> entry.activated == null)) {
            throw new IllegalStateException("no rotation of " + name + " is pending");
        }
        activatePending(name, state, clock.instant());
        save(name, state);
        return keys(name);
    }

    /** Forgets a pending rotation and deletes its key files. @throws IllegalStateException when nothing is pending */
    public synchronized void cancel(String domain) throws IOException, GeneralSecurityException {
        String name = normalize(domain);
        StateFile state = ensure(name);
        List<Entry> pending = state.keys.stream().filter(entry -> entry.activated == null).collect(Collectors.toList());
        if (pending.isEmpty()) {
            throw new IllegalStateException("no rotation of " + name + " is pending");
        }
        state.keys.removeAll(pending);
        save(name, state);
        for (Entry entry : pending) {
            Files.deleteIfExists(keyFile(name, entry.selector));
            loaded.remove(name + "/" + entry.selector);
        }
        LOGGER.info("DKIM rotation of {} cancelled: keys {} deleted", name, selectors(pending));
    }

    // ---------------------------------------------------------------------------------------------

    private StateFile ensure(String domain) throws IOException, GeneralSecurityException {
        Path stateFile = directory.resolve(domain).resolve(STATE);
        Instant now = clock.instant();
        StateFile state = states.get(domain);
        if (state != null) {
            // known: no disk read per signed message
        } else if (Files.isRegularFile(stateFile)) {
            state = JSON.readValue(stateFile.toFile(), StateFile.class);
            states.put(domain, state);
        } else {
            state = new StateFile();
            for (DkimAlgorithm algorithm : List.of(DkimAlgorithm.ED25519_SHA256, DkimAlgorithm.RSA_SHA256)) {
                Entry entry = generate(domain, algorithm, state, now);
                entry.activated = now.toString();
                state.keys.add(entry);
            }
            save(domain, state);
            LOGGER.info("Generated DKIM keys for {}: {} (publish them: GET /dkim/{}/records)", domain, selectors(state.keys), domain);
        }
        boolean due = state.keys.stream().anyMatch(entry -> entry.activated == null && entry.activateAfter != null
            && !Instant.parse(entry.activateAfter).isAfter(now));
        if (due) {
            activatePending(domain, state, now);
            save(domain, state);
        }
        return state;
    }

    private void activatePending(String domain, StateFile state, Instant now) {
        List<Entry> pending = state.keys.stream().filter(entry -> entry.activated == null).collect(Collectors.toList());
        List<Entry> replaced = active(state);
        for (Entry entry : replaced) {
            entry.replaced = now.toString();
        }
        for (Entry entry : pending) {
            entry.activated = now.toString();
            entry.activateAfter = null;
        }
        LOGGER.info("DKIM keys of {}: now signing with {}; {} retiring until {}", domain, selectors(pending), selectors(replaced),
            now.plus(settings.gracePeriod()));
    }

    private static List<Entry> active(StateFile state) {
        return state.keys.stream().filter(entry -> entry.activated != null && entry.replaced == null).collect(Collectors.toList());
    }

    private Entry generate(String domain, DkimAlgorithm algorithm, StateFile state, Instant now) throws IOException, GeneralSecurityException {
        String selector = freeSelector(domain, algorithm, state, now);
        PrivateKey key = PemKeys.generate(algorithm);
        OwnerOnlyFiles.write(keyFile(domain, selector), PemKeys.pem(key));
        loaded.put(domain + "/" + selector, SigningKey.of(selector, key));
        Entry entry = new Entry();
        entry.selector = selector;
        entry.algorithm = algorithm.tagValue();
        entry.created = now.toString();
        return entry;
    }

    /** {@code 202611e}; on a second key of the same kind that month {@code 20261121e}, then minutes, seconds. */
    private String freeSelector(String domain, DkimAlgorithm algorithm, StateFile state, Instant now) {
        for (DateTimeFormatter format : List.of(MONTH, DAY, MINUTE, SECOND)) {
            String selector = format.format(now) + algorithm.selectorSuffix();
            boolean taken = state.keys.stream().anyMatch(entry -> entry.selector.equals(selector))
                || Files.exists(keyFile(domain, selector));
            if (!taken) {
                return selector;
            }
        }
        throw new IllegalStateException("no free selector for " + domain + " at " + now);
    }

    private SigningKey load(String domain, Entry entry) {
        return loaded.computeIfAbsent(domain + "/" + entry.selector, key -> {
            try {
                return SigningKey.of(entry.selector, PemKeys.read(keyFile(domain, entry.selector)));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
    }

    private KeyView view(String domain, Entry entry, Instant now) {
        SigningKey key = load(domain, entry);
        Optional<Instant> replaced = Optional.ofNullable(entry.replaced).map(Instant::parse);
        Optional<Instant> retiredAfter = replaced.map(when -> when.plus(settings.gracePeriod()));
        State state;
        if (entry.activated == null) {
            state = State.PENDING;
        } else if (replaced.isEmpty()) {
            state = State.ACTIVE;
        } else if (now.isBefore(retiredAfter.get())) {
            state = State.RETIRING;
        } else {
            state = State.RETIRED;
        }
        return new KeyView(entry.selector, key.algorithm(), state, key.txtRecord(), Instant.parse(entry.created),
            Optional.ofNullable(entry.activated).map(Instant::parse), Optional.ofNullable(entry.activateAfter).map(Instant::parse),
            replaced, retiredAfter);
    }

    private void save(String domain, StateFile state) throws IOException {
        try {
            OwnerOnlyFiles.write(directory.resolve(domain).resolve(STATE), JSON.writeValueAsString(state));
        } catch (IOException e) {
            states.remove(domain); // the change did not reach the disk: read it again next time
            throw e;
        }
        states.put(domain, state);
    }

    private Path keyFile(String domain, String selector) {
        return directory.resolve(domain).resolve(selector + ".pem");
    }

    private static String selectors(List<Entry> entries) {
        return entries.stream().map(entry -> entry.selector).collect(Collectors.joining(", "));
    }

    static String normalize(String domain) {
        String lower = domain.trim().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        if (!lower.matches("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")) {
            throw new IllegalArgumentException("'" + domain + "' is not a domain name");
        }
        return lower;
    }
}
