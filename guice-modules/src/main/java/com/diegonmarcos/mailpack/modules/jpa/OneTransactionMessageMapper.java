package com.diegonmarcos.mailpack.modules.jpa;

import java.util.Iterator;
import java.util.Map;

import javax.persistence.CacheRetrieveMode;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.PersistenceException;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.jpa.mail.JPAMessageMapper;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.jpa.mail.model.JPAMailbox;
import org.apache.james.mailbox.jpa.mail.model.openjpa.JPAMailboxMessage;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.openjpa.persistence.OpenJPAEntityManager;
import org.apache.openjpa.persistence.OpenJPAPersistence;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * James' JPA message mapper, appending a message in one database transaction instead of three, and
 * reading a message's content with the message.
 *
 * <p>James takes the message's UID and its mod-sequence each in a transaction of its own (a new
 * entity manager, a read and an update of the mailbox row, a commit), then inserts the message in a
 * third. Here the mailbox row is read again inside the append's transaction, both counters are taken
 * from it, and the row is written with the message at commit: the same values, two commits fewer,
 * and a failed insert no longer uses up a UID.
 *
 * <p>Appends to a mailbox are serialised by James' mailbox lock (held around the transaction), as
 * they are for James' counters; the row is refreshed rather than taken from this entity manager's
 * cache, which may hold an older copy when the session appended before. Outside a transaction (not
 * the case in James 3.8.1) James' own path is used.
 *
 * <p>James maps a message's header and body as lazy fields, so reading N messages with their content
 * ({@link FetchType#FULL}: the search index, an IMAP FETCH of bodies) cost 1 + 2N queries. Here
 * FULL reads fetch both fields in the query that finds the messages; other reads stay lazy.
 *
 * <p>Each appended message also leaves a copy in {@link RecentAppends} for the search index.
 */
public class OneTransactionMessageMapper extends JPAMessageMapper {
    /** the lazy fields of {@link JPAMailboxMessage} that hold the message */
    private static final String[] CONTENT_FIELDS = {"header", "body"};

    /** Never the second-level cache (an administrator may turn OpenJPA's DataCache on): the row's counters must be current. */
    private static final Map<String, Object> FRESH_READ = Map.of("javax.persistence.cache.retrieveMode", CacheRetrieveMode.BYPASS);

    private final RecentAppends recentAppends;

    public OneTransactionMessageMapper(JPAUidProvider uidProvider, JPAModSeqProvider modSeqProvider,
                                       EntityManagerFactory entityManagerFactory, RecentAppends recentAppends) {
        super(uidProvider, modSeqProvider, entityManagerFactory);
        this.recentAppends = recentAppends;
    }

    @Override
    public MessageMetaData add(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        EntityManager entityManager = getEntityManager();
        if (!entityManager.getTransaction().isActive()) {
            return super.add(mailbox, message);
        }
        long mailboxId = ((JPAId) mailbox.getMailboxId()).getRawId();
        try {
            JPAMailbox row = OpenJPAPersistence.cast(entityManager).findCached(JPAMailbox.class, mailboxId);
            if (row != null) {
                entityManager.refresh(row); // read earlier in this request: another append may have moved on since
            } else {
                row = entityManager.find(JPAMailbox.class, mailboxId, FRESH_READ); // one query instead of a find and a refresh
            }
            if (row == null) {
                throw new MailboxException("Cannot append to mailbox " + mailbox.generateAssociatedPath().asString() + ": it no longer exists");
            }
            message.setUid(MessageUid.of(row.consumeUid()));
            message.setModSeq(ModSeq.of(row.consumeModSeq()));
        } catch (PersistenceException e) {
            throw new MailboxException("Cannot take the next UID and mod-sequence of mailbox " + mailbox.getMailboxId().serialize(), e);
        }
        MessageMetaData saved = save(mailbox, message);
        rememberForTheSearchIndex(mailbox, message);
        return saved;
    }

    /**
     * A copy of the message for the search index ({@link RecentAppends}), which would read it back
     * otherwise: the same (unmanaged) entity James stores, so the index sees what a read would give,
     * attachments included.
     */
    private void rememberForTheSearchIndex(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        if (!RecentAppends.keeps(message.getFullContentOctets())) {
            return;
        }
        JPAMailboxMessage copy = new JPAMailboxMessage(new UnmanagedMailbox(mailbox), message.getUid(), message.getModSeq(), message);
        copy.setFlags(message.createFlags()); // the constructor makes every copy \Recent; an IMAP APPEND into a selected mailbox is not
        recentAppends.remember(copy);
    }

    /**
     * The mailbox of a copy. Not the row this append read: that one stays managed by the appending
     * thread's entity manager, and the indexing thread then waited for that manager's lock while
     * holding the index lock the appending thread needed (a deadlock under load). Not
     * {@code JPAMailbox.from(mailbox)} alone either: it has no id, so the copy would name mailbox 0.
     */
    private static final class UnmanagedMailbox extends JPAMailbox {
        private final JPAId id;

        UnmanagedMailbox(Mailbox mailbox) {
            super(mailbox);
            this.id = (JPAId) mailbox.getMailboxId();
        }

        @Override
        public JPAId getMailboxId() {
            return id;
        }
    }

    @Override
    public Iterator<MailboxMessage> findInMailbox(Mailbox mailbox, MessageRange range, FetchType type, int max) throws MailboxException {
        if (type != FetchType.FULL) {
            return super.findInMailbox(mailbox, range, type, max);
        }
        OpenJPAEntityManager entityManager = OpenJPAPersistence.cast(getEntityManager());
        entityManager.pushFetchPlan().addFields(JPAMailboxMessage.class, CONTENT_FIELDS);
        try {
            return super.findInMailbox(mailbox, range, type, max);
        } finally {
            entityManager.popFetchPlan();
        }
    }

    @Override
    public Flux<MailboxMessage> findInMailboxReactive(Mailbox mailbox, MessageRange range, FetchType type, int max) {
        if (type != FetchType.FULL) {
            return super.findInMailboxReactive(mailbox, range, type, max);
        }
        return Flux.defer(() -> {
            try {
                return Flux.fromIterable(ImmutableList.copyOf(findInMailbox(mailbox, range, type, max)));
            } catch (MailboxException e) {
                return Flux.error(e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }
}
