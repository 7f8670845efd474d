package com.diegonmarcos.mailpack.modules;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.mail.Flags;

import org.apache.james.events.Event;
import org.apache.james.events.EventDeadLetters;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.events.MailboxEvents.Added;
import org.apache.james.mailbox.events.MailboxEvents.FlagsUpdated;
import org.apache.james.mailbox.events.MailboxEvents.MailboxEvent;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.modules.jpa.RecentAppends;
import com.google.common.annotations.VisibleForTesting;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The search index, with new messages indexed by one indexing thread instead of inside the delivery.
 *
 * <p>James' in-VM event bus runs the index listener before an append returns, and the append holds
 * the mailbox's write lock meanwhile: every delivery into an INBOX waited for the previous message to
 * be read back from the database and analysed by Lucene. The profile of 2,000 deliveries gave the
 * index 29 % of the server's CPU samples, all of it inside that lock. Here an {@code Added} event is
 * only queued; one thread indexes the queue in order, from the copies the appends left in
 * {@link RecentAppends} (reading a message back cost more than appending it), or else from the
 * database with one query per range of UIDs. A flag change that reaches the index before its
 * message is kept and applied when the message is indexed.
 *
 * <p>Flag changes are applied by the caller, as James does, without waiting for the queue: their
 * timing matters (James' IMAP session learns of its own flag changes from the same event,
 * asynchronously; queued, a STORE right after a SELECT saw a stale {@code \Recent} set and wrote
 * {@code \Recent} back, which ImapFlagSearchIntegrationTest caught), and waiting for the queue
 * there let an IMAP FETCH wait on the indexer. A change of a message not indexed yet is kept and
 * applied when it is. Expunges and mailbox deletions are applied once the additions queued before
 * them are indexed, so no document of a removed message comes back.
 *
 * <p>What a client sees does not change: a search (and the flags the index answers) first waits until
 * every message queued before it is indexed, so a message is found as soon as it was delivered. When
 * the queue is full ({@value #CAPACITY} events) delivery waits for room, so a long burst slows down
 * to the indexing rate instead of growing the heap. A message that cannot be indexed after
 * {@value #ATTEMPTS} attempts goes to the event dead letters, as with James' own bus, with an ERROR
 * naming the mailbox. On shutdown the queue is drained before the index is closed; a kill loses the
 * queue as it loses the index's last uncommitted changes ({@link SearchIndexCommitter}), and a
 * re-index repairs both.
 */
public class QueuedLuceneSearchIndex extends SubstringLuceneSearchIndex {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueuedLuceneSearchIndex.class);

    static final int CAPACITY = 10_000;
    static final int ATTEMPTS = 3;
    /** the longest a search waits for the events queued before it; then it searches the index as it is */
    static final Duration SEARCH_WAIT = Duration.ofSeconds(30);
    private static final int BATCH = 256;
    private static final Duration RETRY_DELAY = Duration.ofMillis(200);
    /** how soon the idle indexing thread notices a shutdown (it is not interrupted: Derby I/O does not survive that) */
    private static final Duration POLL = Duration.ofMillis(200);

    private final MailboxSessionMapperFactory factory;
    private final SessionProvider sessionProvider;
    private final EventDeadLetters deadLetters;
    private final RecentAppends recentAppends;
    /** flag changes that reached the index before their message: applied when it is indexed */
    private final ConcurrentHashMap<String, Flags> lateFlags = new ConcurrentHashMap<>();
    /** messages indexed by {@link #catchUp} at start: their Added events, if still queued, are skipped */
    private final Set<String> caughtUp = ConcurrentHashMap.newKeySet();
    /** held while a message is indexed and while flag changes are applied; nothing waits for I/O under it */
    private final Object indexLock = new Object();
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>(CAPACITY);
    private final Object progress = new Object();
    private long queued; // guarded by progress
    private long indexed; // guarded by progress
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread worker;

    @Inject
    public QueuedLuceneSearchIndex(MailboxSessionMapperFactory factory, MailboxId.Factory mailboxIdFactory,
                                   Directory directory, MessageId.Factory messageIdFactory,
                                   SessionProvider sessionProvider, EventDeadLetters deadLetters,
                                   RecentAppends recentAppends) throws IOException {
        super(factory, mailboxIdFactory, directory, messageIdFactory, sessionProvider);
        this.recentAppends = recentAppends;
        this.factory = factory;
        this.sessionProvider = sessionProvider;
        this.deadLetters = deadLetters;
        this.worker = new Thread(this::work, "search-indexer");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /**
     * New messages are queued. Flag changes are applied by the caller at once, as James does: IMAP
     * sessions rely on their timing (a STORE right after a SELECT), and a change of a message still
     * queued is kept for it ({@link #flagsOfUnindexedMessages}). Expunges and deleted mailboxes are
     * applied by the caller once the messages queued before them are indexed, so that no document
     * of a removed message is added after its removal.
     */
    @Override
    public Mono<Void> reactiveEvent(Event event) {
        if (event instanceof Added && !closed.get() && worker.isAlive()) {
            return Mono.fromRunnable(() -> enqueue(event));
        }
        if (event instanceof FlagsUpdated) {
            return Mono.defer(() -> super.reactiveEvent(event));
        }
        return Mono.fromRunnable(this::awaitQueued).then(Mono.defer(() -> super.reactiveEvent(event)));
    }

    /**
     * Flag changes and the indexing of a message exclude each other ({@link #indexLock}): a change
     * either finds the message's document, or is kept for the message before it is indexed.
     */
    @Override
    protected void applyFlagChanges(MailboxId mailboxId, List<UpdatedFlags> updatedFlagsList) {
        synchronized (indexLock) {
            super.applyFlagChanges(mailboxId, updatedFlagsList);
        }
    }

    private void enqueue(Event event) {
        // counted before it is visible to the worker, so a search started after this returns waits for it
        synchronized (progress) {
            queued++;
        }
        try {
            queue.put(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            synchronized (progress) {
                queued--;
            }
            throw new IllegalStateException("interrupted while queueing " + event.getClass().getSimpleName() + " for the search index", e);
        }
    }

    private void work() {
        try {
            indexQueue();
        } finally {
            if (!closed.get()) {
                LOGGER.error("The search indexer stopped; new messages are indexed during their delivery from now on");
            }
        }
    }

    private void indexQueue() {
        List<Event> batch = new ArrayList<>(BATCH);
        while (!closed.get() || !queue.isEmpty()) {
            try {
                Event first = queue.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                index(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOGGER.error("The search indexer failed on a batch of {} events", batch.size(), e);
            } finally {
                markIndexed(batch.size());
                batch.clear();
            }
        }
    }

    private void markIndexed(int count) {
        synchronized (progress) {
            indexed += count;
            progress.notifyAll();
        }
    }

    /** Applies the events in order; consecutive additions to one mailbox are read together. */
    private void index(List<Event> batch) {
        int start = 0;
        while (start < batch.size()) {
            Event event = batch.get(start);
            int end = start + 1;
            if (event instanceof Added) {
                while (end < batch.size() && sameMailbox((Added) event, batch.get(end))) {
                    end++;
                }
            }
            List<Event> run = batch.subList(start, end);
            if (!(event instanceof Added)) {
                deliver(event);
            } else if (!indexAdditions(run)) {
                run.forEach(this::deliver); // one by one, each with its retries and dead letter
            }
            start = end;
        }
    }

    private static boolean sameMailbox(Added first, Event next) {
        return next instanceof Added
            && ((Added) next).getMailboxId().equals(first.getMailboxId())
            && next.getUsername().equals(first.getUsername());
    }

    /**
     * Indexes the messages of consecutive {@link Added} events of one mailbox: from the copies the
     * appends left in {@link RecentAppends}, the others read from the database with one query per
     * range of UIDs. False if anything failed (then each event is retried on its own).
     */
    private boolean indexAdditions(List<Event> additions) {
        Added first = (Added) additions.get(0);
        List<MessageUid> uids = additions.stream()
            .flatMap(event -> ((Added) event).getUids().stream())
            .sorted()
            .distinct()
            .toList();
        MailboxSession session = sessionProvider.createSystemSession(first.getUsername());
        try {
            List<MailboxMessage> copies = new ArrayList<>();
            List<MessageUid> unknown = new ArrayList<>();
            for (MessageUid uid : uids) {
                recentAppends.take(first.getMailboxId(), uid).ifPresentOrElse(copies::add, () -> unknown.add(uid));
            }
            Mailbox mailbox = factory.getMailboxMapper(session).findMailboxById(first.getMailboxId()).block();
            List<MailboxMessage> messages = Flux.fromIterable(copies)
                .concatWith(Flux.fromIterable(MessageRange.toRanges(unknown))
                    .concatMap(range -> factory.getMessageMapper(session).findInMailboxReactive(mailbox, range, FetchType.FULL, UNLIMITED)))
                .collectList()
                .block();
            for (MailboxMessage message : messages) {
                synchronized (indexLock) {
                    if (caughtUp.remove(lateFlagsKey(message.getMailboxId(), message.getUid().asLong()))) {
                        continue; // indexed at start by catchUp, before its event came here
                    }
                    add(session, mailbox, withLateFlags(message)).block();
                }
            }
            return true;
        } catch (RuntimeException e) {
            if (isMailboxGone(e)) {
                LOGGER.debug("Mailbox {} was deleted before its new messages were indexed", first.getMailboxId().serialize());
                return true;
            }
            LOGGER.warn("Indexing {} new messages of mailbox {} together failed ({}); indexing them one event at a time",
                uids.size(), first.getMailboxId().serialize(), e.toString());
            return false;
        } finally {
            factory.endProcessingRequest(session);
        }
    }

    private MailboxMessage withLateFlags(MailboxMessage message) {
        Flags late = lateFlags.remove(lateFlagsKey(message.getMailboxId(), message.getUid().asLong()));
        if (late != null) {
            message.setFlags(late);
        }
        return message;
    }

    private static String lateFlagsKey(MailboxId mailboxId, long uid) {
        return mailboxId.serialize() + "/" + uid;
    }

    /**
     * Whether the index holds a document for each of {@code count} messages of a mailbox, the one of
     * UID {@code lastUid} among them: two searches, no message read.
     */
    boolean looksComplete(MailboxId mailboxId, long count, long lastUid) throws IOException {
        IndexWriter writer = writer().orElseThrow(() -> new IOException("the Lucene writer cannot be reached"));
        try (IndexReader reader = IndexReader.open(writer, true); IndexSearcher searcher = new IndexSearcher(reader)) {
            return searcher.search(messagesOf(mailboxId), 1).totalHits == count
                && searcher.search(new TermQuery(new Term(ID_FIELD, documentId(mailboxId, lastUid))), 1).totalHits == 1;
        }
    }

    /**
     * Makes the index hold exactly the messages {@code stored} (the UIDs the store has, read before)
     * of a mailbox, up to the highest of them: the missing ones are read ({@code read}) and indexed,
     * documents of messages no longer stored are deleted. Answers how many were indexed. Under the
     * index lock, so the worker skips an Added event of a message indexed here.
     */
    int catchUp(MailboxSession session, Mailbox mailbox, Set<Long> stored, MessagesReader read) throws IOException, MailboxException {
        MailboxId mailboxId = mailbox.getMailboxId();
        long highest = stored.stream().mapToLong(Long::longValue).max().orElse(0);
        synchronized (indexLock) {
            Set<Long> indexed = indexedUids(mailboxId);
            List<MessageUid> missing = stored.stream().filter(uid -> !indexed.contains(uid)).sorted().map(MessageUid::of).toList();
            for (long uid : indexed) {
                if (uid <= highest && !stored.contains(uid)) {
                    delete(mailboxId, MessageRange.one(MessageUid.of(uid)));
                }
            }
            for (MessageRange range : MessageRange.toRanges(missing)) {
                for (MailboxMessage message : read.read(mailbox, range)) {
                    add(session, mailbox, message).block();
                    caughtUp.add(lateFlagsKey(mailboxId, message.getUid().asLong()));
                }
            }
            return missing.size();
        }
    }

    /** The messages of a range of UIDs, with their content. */
    @FunctionalInterface
    interface MessagesReader {
        List<MailboxMessage> read(Mailbox mailbox, MessageRange range) throws MailboxException;
    }

    private Set<Long> indexedUids(MailboxId mailboxId) throws IOException {
        IndexWriter writer = writer().orElseThrow(() -> new IOException("the Lucene writer cannot be reached"));
        Set<Long> uids = new TreeSet<>();
        try (IndexReader reader = IndexReader.open(writer, true); IndexSearcher searcher = new IndexSearcher(reader)) {
            BooleanQuery query = messagesOf(mailboxId);
            int count = searcher.search(query, 1).totalHits;
            if (count == 0) {
                return uids;
            }
            TopDocs all = searcher.search(query, count);
            for (ScoreDoc hit : all.scoreDocs) {
                uids.add(Long.parseLong(searcher.doc(hit.doc).get(UID_FIELD)));
            }
        }
        return uids;
    }

    /** The message documents of a mailbox (James keeps a second document per message for its flags). */
    private static BooleanQuery messagesOf(MailboxId mailboxId) {
        BooleanQuery query = new BooleanQuery();
        query.add(new TermQuery(new Term(MAILBOX_ID_FIELD, mailboxId.serialize().toUpperCase(java.util.Locale.US))), Occur.MUST);
        query.add(new PrefixQuery(new Term(ID_FIELD, "flags-")), Occur.MUST_NOT);
        return query;
    }

    private static String documentId(MailboxId mailboxId, long uid) {
        return mailboxId.serialize().toUpperCase(java.util.Locale.US) + "-" + uid;
    }

    /** Flag changes of messages still queued (or being indexed) are kept until they are indexed. */
    @Override
    protected void flagsOfUnindexedMessages(MailboxId mailboxId, Map<Long, Flags> newFlagsByUid) {
        if (lateFlags.size() > CAPACITY) {
            lateFlags.clear(); // messages expunged before being indexed leave entries behind: bounded
        }
        newFlagsByUid.forEach((uid, flags) -> lateFlags.put(lateFlagsKey(mailboxId, uid), flags));
    }

    /** James' handling of one event, retried; a dead letter if it keeps failing. */
    private void deliver(Event event) {
        for (int attempt = 1; ; attempt++) {
            try {
                super.reactiveEvent(event).block();
                return;
            } catch (RuntimeException e) {
                if (isMailboxGone(e)) {
                    return;
                }
                if (attempt >= ATTEMPTS) {
                    LOGGER.error("Cannot index {} of mailbox {} for {} after {} attempts: stored in the event dead letters of group {}; "
                            + "a re-index (webadmin POST /mailboxes?task=reIndex) repairs the index",
                        event.getClass().getSimpleName(), mailboxOf(event), event.getUsername().asString(), attempt,
                        getDefaultGroup().asString(), e);
                    deadLetters.store(getDefaultGroup(), event).onErrorResume(failure -> {
                        LOGGER.error("Cannot store the failed search index event {} in the dead letters", event.getEventId().getId(), failure);
                        return Mono.empty();
                    }).block();
                    return;
                }
                LOGGER.warn("Indexing {} of mailbox {} failed (attempt {} of {}): {}",
                    event.getClass().getSimpleName(), mailboxOf(event), attempt, ATTEMPTS, e.toString());
                Mono.delay(RETRY_DELAY.multipliedBy(attempt)).block();
            }
        }
    }

    private static String mailboxOf(Event event) {
        return event instanceof MailboxEvent
            ? ((MailboxEvent) event).getMailboxId().serialize()
            : "?";
    }

    private static boolean isMailboxGone(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MailboxNotFoundException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until every event queued before this call is indexed (not when called by the indexing
     * thread itself); after {@link #SEARCH_WAIT} it gives up with a WARN and the index answers as it is.
     */
    @VisibleForTesting
    void awaitQueued() {
        if (Thread.currentThread() == worker) {
            return;
        }
        long deadline = System.nanoTime() + SEARCH_WAIT.toNanos();
        synchronized (progress) {
            long target = queued;
            while (indexed < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !worker.isAlive()) {
                    LOGGER.warn("The search index is {} events behind; searching it as it is", target - indexed);
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public Flux<MessageUid> doSearch(MailboxSession session, Mailbox mailbox, SearchQuery searchQuery) throws MailboxException {
        awaitQueued();
        return super.doSearch(session, mailbox, searchQuery);
    }

    @Override
    public Flux<MessageId> search(MailboxSession session, Collection<MailboxId> mailboxIds, SearchQuery searchQuery, long limit) throws MailboxException {
        awaitQueued();
        return super.search(session, mailboxIds, searchQuery, limit);
    }

    @Override
    public Mono<Flags> retrieveIndexedFlags(Mailbox mailbox, MessageUid uid) {
        return Mono.defer(() -> {
            awaitQueued();
            return super.retrieveIndexedFlags(mailbox, uid);
        });
    }

    /** Indexes what is queued, then closes the index (once, however often the container calls it). */
    @Override
    @PreDestroy
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            worker.join(SEARCH_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            LOGGER.warn("The search indexer did not finish within {}; {} queued events are not indexed (a re-index repairs this)",
                SEARCH_WAIT, queue.size());
        }
        super.close();
    }
}
