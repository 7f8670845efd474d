package com.diegonmarcos.mailpack.modules.jpa;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import com.google.common.base.Preconditions;

/**
 * Remembers the answers of a database lookup that every message repeats (is this domain local, does
 * this user exist, which aliases apply, has this user a Sieve script) for a short time.
 *
 * <p>Writes made through mailpack call {@link #invalidateAll()}, so they are seen by the very next
 * lookup; the time limit only bounds how long a change made behind mailpack's back (SQL on the
 * database) goes unseen. A lookup that was already running when an invalidation happened does not
 * store its (possibly stale) answer. Bounded: when full, the cache starts over.
 *
 * @param <K> the key
 * @param <V> the answer; may be any value, including "absent" markers, but not null
 */
public final class LookupCache<K, V> {
    /** How long an answer is reused when nothing invalidates it: changes made outside mailpack. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    static final int DEFAULT_MAX_ENTRIES = 10_000;

    /** A lookup that may fail with a checked exception of type {@code E}. */
    @FunctionalInterface
    public interface Loader<K, V, E extends Exception> {
        V load(K key) throws E;
    }

    /** A write to the store behind the cache. */
    @FunctionalInterface
    public interface Write<E extends Exception> {
        void run() throws E;
    }

    private record Entry<V>(V value, long expiresAtNanos) {
    }

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    private long generation;

    public LookupCache() {
        this(DEFAULT_TTL, DEFAULT_MAX_ENTRIES, System::nanoTime);
    }

    LookupCache(Duration ttl, int maxEntries, LongSupplier nanoTime) {
        Preconditions.checkArgument(!ttl.isNegative() && !ttl.isZero(), "ttl must be positive");
        Preconditions.checkArgument(maxEntries > 0, "maxEntries must be positive");
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    /** The cached answer for {@code key}, or the loader's (then cached). Loader failures are not cached. */
    public <E extends Exception> V get(K key, Loader<K, V, E> loader) throws E {
        Optional<V> cached = find(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        long startedIn = generation();
        V value = Preconditions.checkNotNull(loader.load(key), "a lookup answered null for %s", key);
        remember(key, value, startedIn);
        return value;
    }

    /** The cached answer for {@code key}, if there is one that has not expired. */
    public Optional<V> find(K key) {
        Entry<V> cached = entries.get(key);
        if (cached != null && nanoTime.getAsLong() - cached.expiresAtNanos() < 0) {
            return Optional.of(cached.value());
        }
        return Optional.empty();
    }

    /**
     * For lookups that cannot run inside {@link #get} (reactive ones): take this before looking up,
     * and hand it to {@link #remember} with the answer.
     */
    public synchronized long generation() {
        return generation;
    }

    /** Caches an answer looked up since {@code startedIn}, unless an invalidation happened meanwhile. */
    public synchronized void remember(K key, V value, long startedIn) {
        if (generation != startedIn) {
            return;
        }
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
        entries.put(key, new Entry<>(Preconditions.checkNotNull(value, "null answer for %s", key), nanoTime.getAsLong() + ttlNanos));
    }

    /** Runs a write to the store behind the cache, then forgets every answer (also when the write fails). */
    public <E extends Exception> void write(Write<E> write) throws E {
        try {
            write.run();
        } finally {
            invalidateAll();
        }
    }

    /** Forgets every answer, and any answer being looked up right now. */
    public synchronized void invalidateAll() {
        generation++;
        entries.clear();
    }
}
