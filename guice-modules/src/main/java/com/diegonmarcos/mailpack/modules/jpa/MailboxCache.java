package com.diegonmarcos.mailpack.modules.jpa;

import java.time.Duration;
import java.util.Optional;
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

    /** keyed by {@link MailboxId} and by {@link MailboxPath}: one invalidation covers both */
    private final LookupCache<Object, Mailbox> mailboxes;

    public MailboxCache() {
        this(LookupCache.DEFAULT_TTL, System::nanoTime);
    }

    @VisibleForTesting
    MailboxCache(Duration ttl, LongSupplier nanoTime) {
        this.mailboxes = new LookupCache<>(ttl, MAX_ENTRIES, nanoTime);
    }

    public Optional<Mailbox> byId(MailboxId id) {
        return mailboxes.find(id).map(Mailbox::new);
    }

    public Optional<Mailbox> byPath(MailboxPath path) {
        return mailboxes.find(path).map(Mailbox::new);
    }

    /** The generation to hand back to {@link #remember} once the lookup that starts now has answered. */
    public long generation() {
        return mailboxes.generation();
    }

    /** Keeps a mailbox read from the database, unless the cache was emptied since {@code readInGeneration}. */
    public void remember(Mailbox mailbox, long readInGeneration) {
        Mailbox copy = new Mailbox(mailbox);
        mailboxes.remember(copy.getMailboxId(), copy, readInGeneration);
        mailboxes.remember(copy.generateAssociatedPath(), copy, readInGeneration);
    }

    public void invalidateAll() {
        mailboxes.invalidateAll();
    }
}
