package com.diegonmarcos.mailpack.modules.jpa;

import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * third. Here an append (and a COPY, a MOVE) increments both counters with one {@code UPDATE} of the
 * mailbox row as the first statement of its own transaction ({@link Counters}), reads them back and
 * inserts the message: two commits fewer, a failed insert no longer uses up a UID, and two nodes
 * sharing one database cannot take the same UID.
 *
 * <p>The order matters. A read of a mailbox's messages joins its mailbox row, and Derby holds the
 * read lock on that row while it reads the messages' rows. James' counters, read into the entity
 * and written back when the transaction committed, locked the new message's row first and the
 * mailbox row second: a FETCH holding the mailbox row waited for the new message, the append waited
 * for the mailbox row, and Derby broke the cycle only after its 20 s deadlock timeout while every
 * session waited (measured with bench/imap-stress.py). Taking the mailbox row first, an append waits
 * for such a read or the read for the append, never both. A flag change keeps James' own counter
 * transaction: it rewrites existing rows, which a read may hold while waiting for the mailbox row.
 *
 * <p>James maps a message's header and body as lazy fields, so reading N messages with their content
 * ({@link FetchType#FULL}: the search index, an IMAP FETCH of bodies) cost 1 + 2N queries. Here
 * FULL reads fetch both fields in the query that finds the messages; other reads stay lazy.
 *
 * <p>Each appended message also leaves a copy in {@link RecentAppends} for the search index.
 *
 * <p>An EXPUNGE deletes by primary key ({@link #deleteMessages}). James' bulk JPQL delete becomes, in
 * OpenJPA's SQL, {@code DELETE FROM JAMES_MAIL WHERE EXISTS (SELECT 1 FROM JAMES_MAIL t0 WHERE ...)},
 * which Derby runs as a scan of the whole table: it waited for the row lock of every message any
 * other session was appending, in every mailbox of every user, while holding a table lock on
 * {@code JAMES_MAIL_PROPERTY} that those appends needed. Derby broke the cycle after its 20 s deadlock
 * timeout, and every IMAP session and delivery waited meanwhile (10 clients: 27 of 30 s with nothing
 * done).
 */
public class OneTransactionMessageMapper extends JPAMessageMapper {
    /** the lazy fields of {@link JPAMailboxMessage} that hold the message */
    private static final String[] CONTENT_FIELDS = {"header", "body"};

    private final RecentAppends recentAppends;

    public OneTransactionMessageMapper(EntityManagerFactory entityManagerFactory, RecentAppends recentAppends) {
        super(new JPAUidProvider(entityManagerFactory), new JPAModSeqProvider(entityManagerFactory), entityManagerFactory);
        this.recentAppends = recentAppends;
    }

    @Override
    public MessageMetaData add(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        EntityManager entityManager = getEntityManager();
        if (!entityManager.getTransaction().isActive()) {
            return super.add(mailbox, message);
        }
        Counters next = Counters.take(entityManager, (JPAId) mailbox.getMailboxId());
        message.setUid(MessageUid.of(next.lastUid));
        message.setModSeq(ModSeq.of(next.highestModSeq));
        recordDelivery(entityManager, mailbox, message);
        MessageMetaData saved = save(mailbox, message);
        rememberForTheSearchIndex(mailbox, message);
        return saved;
    }

    /**
     * A message carrying the queue's id of its mail ({@link DeliveryLedger#HEADER}) is recorded as
     * delivered to the mailbox's user in this same transaction: stored and recorded, or neither.
     */
    private static void recordDelivery(EntityManager entityManager, Mailbox mailbox, MailboxMessage message) throws MailboxException {
        Optional<String> queueId;
        try {
            queueId = DeliveryLedger.queueIdIn(message.getHeaderContent());
        } catch (IOException e) {
            throw new MailboxException("Cannot read the header of a new message of mailbox " + mailbox.getMailboxId().serialize(), e);
        }
        try {
            queueId.ifPresent(id -> DeliveryLedger.record(entityManager, id, mailbox.getUser()));
        } catch (PersistenceException e) {
            throw new MailboxException("Cannot record the delivery of " + queueId.get() + " to " + mailbox.getUser().asString(), e);
        }
    }

    /** A COPY (and a MOVE) takes the copy's counters as an append does. */
    @Override
    public MessageMetaData copy(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        EntityManager entityManager = getEntityManager();
        if (!entityManager.getTransaction().isActive() || !(original instanceof JPAMailboxMessage)) {
            return super.copy(mailbox, original); // (the streaming and encrypted entities: not in mailpack's persistence unit)
        }
        Counters next = Counters.take(entityManager, (JPAId) mailbox.getMailboxId());
        return save(mailbox, new JPAMailboxMessage(JPAMailbox.from(mailbox), MessageUid.of(next.lastUid), ModSeq.of(next.highestModSeq), original));
    }

    /** The mailbox's counters after one atomic increment, under the mailbox row's write lock. */
    private static final class Counters {
        private static final String INCREMENT = "UPDATE JAMES_MAILBOX"
            + " SET MAILBOX_LAST_UID = COALESCE(MAILBOX_LAST_UID, 0) + 1, MAILBOX_HIGHEST_MODSEQ = COALESCE(MAILBOX_HIGHEST_MODSEQ, 0) + 1"
            + " WHERE MAILBOX_ID = ?1";
        private static final String READ = "SELECT MAILBOX_LAST_UID, MAILBOX_HIGHEST_MODSEQ FROM JAMES_MAILBOX WHERE MAILBOX_ID = ?1";

        final long lastUid;
        final long highestModSeq;

        private Counters(long lastUid, long highestModSeq) {
            this.lastUid = lastUid;
            this.highestModSeq = highestModSeq;
        }

        /**
         * Adds 1 to the last UID and to the highest mod-sequence, in the caller's
         * transaction, and reads both back: the row stays write-locked until that transaction ends,
         * so no other append, copy or flag change of the mailbox can take the same values, on this
         * node or another one sharing the database.
         */
        static Counters take(EntityManager entityManager, JPAId mailboxId) throws MailboxException {
            try {
                int updated = entityManager.createNativeQuery(INCREMENT)
                    .setParameter(1, mailboxId.getRawId())
                    .executeUpdate();
                if (updated == 0) {
                    throw new MailboxException("Mailbox " + mailboxId.serialize() + " no longer exists");
                }
                Object[] row = (Object[]) entityManager.createNativeQuery(READ)
                    .setParameter(1, mailboxId.getRawId())
                    .getSingleResult();
                return new Counters(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
            } catch (PersistenceException e) {
                throw new MailboxException("Cannot take the next UID and mod-sequence of mailbox " + mailboxId.serialize(), e);
            }
        }
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

    /**
     * The messages' metadata as James reads it, then one {@code DELETE ... WHERE MAILBOX_ID = ? AND
     * MAIL_UID ...} per range: the primary key index finds the rows and only they are locked; their
     * properties and user flags are deleted first, likewise ({@link MessageChildRows}).
     */
    @Override
    public Map<MessageUid, MessageMetaData> deleteMessages(Mailbox mailbox, List<MessageUid> uids) throws MailboxException {
        EntityManager entityManager = getEntityManager();
        if (!entityManager.getTransaction().isActive()) {
            return super.deleteMessages(mailbox, uids);
        }
        long mailboxId = ((JPAId) mailbox.getMailboxId()).getRawId();
        Map<MessageUid, MessageMetaData> deleted = new HashMap<>();
        for (MessageRange range : MessageRange.toRanges(uids)) {
            Iterator<MailboxMessage> messages = super.findInMailbox(mailbox, range, FetchType.METADATA, -1);
            while (messages.hasNext()) {
                MailboxMessage message = messages.next();
                deleted.put(message.getUid(), message.metaData());
                entityManager.detach(message); // gone from the database at commit: never flushed or found again
            }
            try {
                deleteRange(entityManager, mailboxId, range);
            } catch (PersistenceException e) {
                throw new MailboxException("Cannot delete messages " + range + " of mailbox " + mailbox.getMailboxId().serialize(), e);
            }
        }
        return deleted;
    }

    /** The messages of {@code range}, their child rows first. */
    private static void deleteRange(EntityManager entityManager, long mailboxId, MessageRange range) {
        long from = range.getUidFrom().asLong();
        long to = range.getUidTo().asLong();
        switch (range.getType()) {
            case ONE:
                delete(entityManager, mailboxId, " AND MAIL_UID = ?2", from);
                break;
            case RANGE:
                delete(entityManager, mailboxId, " AND MAIL_UID BETWEEN ?2 AND ?3", from, to);
                break;
            case FROM:
                delete(entityManager, mailboxId, " AND MAIL_UID >= ?2", from);
                break;
            case ALL:
                delete(entityManager, mailboxId, "");
                break;
            default:
                throw new IllegalArgumentException("unknown message range type " + range.getType());
        }
    }

    private static void delete(EntityManager entityManager, long mailboxId, String uidCondition, long... uids) {
        MessageChildRows.delete(entityManager, mailboxId, uidCondition, uids);
        MessageChildRows.deleteFrom(entityManager, "JAMES_MAIL", mailboxId, uidCondition, uids);
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
