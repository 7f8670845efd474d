package com.diegonmarcos.mailpack.modules.jpa;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import javax.inject.Singleton;

import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;

import com.google.common.annotations.VisibleForTesting;

/**
 * Mailboxes (id, path, UID validity) by id and by path, shared by the {@link CachingJpaMailboxMapper}s.
 *
 * <p>Every delivery looks its mailbox up by path (the local delivery), then by id (the quota of its
 * owner, the search index): 9.6 % of the server's CPU samples in a profile of 2,000 deliveries. A
 * mailbox is created, renamed or deleted only through the mapper, which empties this cache when it
 * writes and again when its transaction ends; a lookup that started before an invalidation does not
 * store its answer. Entries are re-read after {@link LookupCache#DEFAULT_TTL} (changes made with SQL).
 * Callers get copies: James sets a mailbox's ACL on the object it holds.
 */
@Singleton
public class MailboxCache {
    static final int MAX_ENTRIES = 10_000;

    private record Entry(Mailbox mailbox, long readAtNanos) {
    }

    private final ConcurrentHashMap<MailboxId, Entry> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<MailboxPath, Entry> byPath = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private long generation; // guarded by this

    public MailboxCache() {
        this(LookupCache.DEFAULT_TTL, System::nanoTime);
    }

    @VisibleForTesting
    MailboxCache(Duration ttl, LongSupplier nanoTime) {
        this.ttlNanos = ttl.toNanos();
        this.nanoTime = nanoTime;
    }

    public Optional<Mailbox> byId(MailboxId id) {
        return fresh(byId.get(id));
    }

    public Optional<Mailbox> byPath(MailboxPath path) {
        return fresh(byPath.get(path));
    }

    private Optional<Mailbox> fresh(Entry entry) {
        if (entry == null || nanoTime.getAsLong() - entry.readAtNanos() >= ttlNanos) {
            return Optional.empty();
        }
        return Optional.of(new Mailbox(entry.mailbox()));
    }

    /** The generation to hand back to {@link #remember} once the lookup that starts now has answered. */
    public synchronized long generation() {
        return generation;
    }

    /** Keeps a mailbox read from the database, unless the cache was emptied since {@code readInGeneration}. */
    public synchronized void remember(Mailbox mailbox, long readInGeneration) {
        if (readInGeneration != generation) {
            return;
        }
        if (byId.size() >= MAX_ENTRIES) {
            byId.clear();
            byPath.clear();
        }
        Entry entry = new Entry(new Mailbox(mailbox), nanoTime.getAsLong());
        byId.put(mailbox.getMailboxId(), entry);
        byPath.put(mailbox.generateAssociatedPath(), entry);
    }

    public synchronized void invalidateAll() {
        generation++;
        byId.clear();
        byPath.clear();
    }
}
