package com.diegonmarcos.mailpack.modules.jpa;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.inject.Singleton;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;

import com.google.common.annotations.VisibleForTesting;

/**
 * In-memory copies of the messages just appended, kept until the search index has read them.
 *
 * <p>The search index indexes a new message after its append (QueuedLuceneSearchIndex). Reading it
 * back from the database cost more than the append itself: the mapped message is spread over several
 * tables (a union over three message classes, then its mailbox, properties and flags), 13 % of the
 * server's CPU samples in a profile of 2,000 deliveries. The append already holds the message, so it
 * leaves a copy here and the index takes it.
 *
 * <p>Bounded: at most {@value #MAX_MESSAGES} messages and {@value #MAX_BYTES} bytes; when full the
 * oldest copies are dropped, and a message without a copy (too big, dropped, an append whose
 * transaction then failed, a restart) is read from the database as before.
 */
@Singleton
public class RecentAppends {
    static final int MAX_MESSAGES = 1024;
    static final long MAX_BYTES = 16L * 1024 * 1024;

    private record Key(MailboxId mailboxId, MessageUid uid) {
    }

    private final Map<Key, MailboxMessage> copies = new LinkedHashMap<>();
    private long bytes;

    /** Whether a message of {@code octets} is small enough to be kept (so a caller need not copy a bigger one). */
    public static boolean keeps(long octets) {
        return octets <= MAX_BYTES / 4;
    }

    /** Keeps {@code copy} (a message already in memory, with its UID) if it fits. */
    public synchronized void remember(MailboxMessage copy) {
        long size = copy.getFullContentOctets();
        if (!keeps(size)) {
            return;
        }
        MailboxMessage previous = copies.put(new Key(copy.getMailboxId(), copy.getUid()), copy);
        bytes += size - (previous == null ? 0 : previous.getFullContentOctets());
        Iterator<MailboxMessage> oldest = copies.values().iterator();
        while ((copies.size() > MAX_MESSAGES || bytes > MAX_BYTES) && oldest.hasNext()) {
            bytes -= oldest.next().getFullContentOctets();
            oldest.remove();
        }
    }

    /** The copy of a message, removed from here; empty when there is none. */
    public synchronized Optional<MailboxMessage> take(MailboxId mailboxId, MessageUid uid) {
        MailboxMessage copy = copies.remove(new Key(mailboxId, uid));
        if (copy != null) {
            bytes -= copy.getFullContentOctets();
        }
        return Optional.ofNullable(copy);
    }

    @VisibleForTesting
    synchronized int size() {
        return copies.size();
    }

    @VisibleForTesting
    synchronized long bytes() {
        return bytes;
    }
}
