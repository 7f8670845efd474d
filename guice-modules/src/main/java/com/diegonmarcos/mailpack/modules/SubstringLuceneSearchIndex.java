package com.diegonmarcos.mailpack.modules;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.inject.Inject;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.lucene.store.Directory;

import com.diegonmarcos.mailpack.modules.search.ContentCriteria;
import com.diegonmarcos.mailpack.modules.search.ContentCriteria.ContentTest;
import com.diegonmarcos.mailpack.modules.search.ContentCriteria.StoredMessage;
import com.diegonmarcos.mailpack.modules.search.HeaderCache;
import com.diegonmarcos.mailpack.modules.search.MessageText;
import com.diegonmarcos.mailpack.modules.search.MessageText.HeaderField;
import com.google.common.io.ByteStreams;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The search index, with the string keys of IMAP SEARCH as substring matches and the sent-date keys
 * on the Date: header's own day (RFC 3501 §6.4.4; {@link ContentCriteria}).
 *
 * <p>James' Lucene index matches whole words only (its analyzer splits on white space), so
 * {@code FROM user-from@domain.org} missed {@code RealFrom <user-from@domain.org>} and
 * {@code SUBJECT "eautiful worl"} missed "beautiful world"; it compared encoded words undecoded, and
 * {@code SENTON} compared the UTC day of the Date: header instead of its own. A query with such a
 * criterion is evaluated here: every other criterion is still answered by Lucene (in one query per
 * level of AND/OR/NOT), narrowing the messages whose content is then read and matched, in batches
 * of {@value #READ_BATCH} (each batch from its own mapper session, released after it: the memory a
 * search holds does not grow with the folder; bodies are streamed, {@link MessageText}). Lucene is not
 * used to narrow a substring itself: its tokens are undecoded and upper-cased in the US locale, so a
 * candidate it left out could have matched. The decoded fields a header search read are kept in a
 * {@link HeaderCache}, so the next one on the folder reads only the messages added since.
 * A query without content criteria is Lucene's alone, as before.
 */
public class SubstringLuceneSearchIndex extends BatchedFlagsLuceneSearchIndex {
    static final int READ_BATCH = 200;
    static final int INDEXED_BYTES = 1024 * 1024;

    private final MailboxSessionMapperFactory factory;
    private final SessionProvider sessionProvider;
    private final HeaderCache headers = new HeaderCache(HeaderCache.DEFAULT_CAPACITY);

    @Inject
    public SubstringLuceneSearchIndex(MailboxSessionMapperFactory factory, MailboxId.Factory mailboxIdFactory,
                                      Directory directory, MessageId.Factory messageIdFactory,
                                      SessionProvider sessionProvider) throws IOException {
        super(factory, mailboxIdFactory, directory, messageIdFactory, sessionProvider);
        this.factory = factory;
        this.sessionProvider = sessionProvider;
    }

    /**
     * What James' index reads of a message: its first {@value #INDEXED_BYTES} bytes. It keeps one field
     * per line of every text part in the heap until the message is added, so a 49 MB text body took the
     * heap of a 256 MB JVM; here content criteria (TEXT, BODY, header strings) are answered by reading the
     * message itself, and what Lucene answers (flags, dates, sizes, UIDs, sort fields) comes from the
     * header, the internal date and the size, not from the body's lines.
     */
    @Override
    public Mono<Void> add(MailboxSession session, Mailbox mailbox, MailboxMessage message) {
        return super.add(session, mailbox, indexedPart(message));
    }

    static MailboxMessage indexedPart(MailboxMessage message) {
        if (message.getFullContentOctets() <= INDEXED_BYTES) {
            return message;
        }
        return (MailboxMessage) Proxy.newProxyInstance(MailboxMessage.class.getClassLoader(), new Class<?>[] {MailboxMessage.class},
            (proxy, method, args) -> {
                if ("getFullContent".equals(method.getName()) && method.getParameterCount() == 0) {
                    return ByteStreams.limit(message.getFullContent(), INDEXED_BYTES);
                }
                try {
                    return method.invoke(message, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    @Override
    public Flux<MessageUid> doSearch(MailboxSession session, Mailbox mailbox, SearchQuery searchQuery) throws MailboxException {
        if (searchQuery.getCriteria().stream().noneMatch(ContentCriteria::readsContent)) {
            return super.doSearch(session, mailbox, searchQuery);
        }
        return Mono.fromCallable(() -> new Evaluation(session, mailbox, searchQuery.getRecentMessageUids()).run(searchQuery))
            .flatMapIterable(uids -> uids);
    }

    /** One search: the criteria tree evaluated over sets of UIDs, Lucene for what it answers right. */
    private final class Evaluation {
        private final MailboxSession session;
        private final Mailbox mailbox;
        private final Set<MessageUid> recent;

        Evaluation(MailboxSession session, Mailbox mailbox, Set<MessageUid> recent) {
            this.session = session;
            this.mailbox = mailbox;
            this.recent = recent;
        }

        List<MessageUid> run(SearchQuery query) throws MailboxException {
            NavigableSet<MessageUid> found = and(query.getCriteria(), indexed(List.of()));
            if (query.getSorts().equals(SearchQuery.DEFAULT_SORTS)) {
                return new ArrayList<>(found);
            }
            List<MessageUid> sorted = new ArrayList<>();
            SearchQuery all = SearchQuery.builder().sorts(query.getSorts()).addRecentMessageUids(recent).build();
            for (MessageUid uid : SubstringLuceneSearchIndex.super.doSearch(session, mailbox, all).toIterable()) {
                if (found.contains(uid)) {
                    sorted.add(uid);
                }
            }
            return sorted;
        }

        /** The messages of {@code within} that match every criterion: the index's criteria first, together. */
        private NavigableSet<MessageUid> and(List<Criterion> criteria, NavigableSet<MessageUid> within) throws MailboxException {
            List<Criterion> byIndex = criteria.stream().filter(criterion -> !ContentCriteria.readsContent(criterion)).toList();
            NavigableSet<MessageUid> result = byIndex.isEmpty() ? within : intersection(within, indexed(byIndex));
            for (Criterion criterion : criteria) {
                if (result.isEmpty()) {
                    break;
                }
                if (ContentCriteria.readsContent(criterion)) {
                    result = matching(criterion, result);
                }
            }
            return result;
        }

        private NavigableSet<MessageUid> matching(Criterion criterion, NavigableSet<MessageUid> within) throws MailboxException {
            if (!ContentCriteria.readsContent(criterion)) {
                return intersection(within, indexed(List.of(criterion)));
            }
            if (criterion instanceof SearchQuery.ConjunctionCriterion conjunction) {
                return switch (conjunction.getType()) {
                    case AND -> and(conjunction.getCriteria(), within);
                    case OR -> union(conjunction.getCriteria(), within);
                    case NOR -> {
                        NavigableSet<MessageUid> rest = new TreeSet<>(within);
                        rest.removeAll(union(conjunction.getCriteria(), within));
                        yield rest;
                    }
                };
            }
            return read(within, ContentCriteria.test(criterion).orElseThrow());
        }

        private NavigableSet<MessageUid> union(List<Criterion> criteria, NavigableSet<MessageUid> within) throws MailboxException {
            NavigableSet<MessageUid> result = new TreeSet<>();
            for (Criterion criterion : criteria) {
                NavigableSet<MessageUid> rest = new TreeSet<>(within);
                rest.removeAll(result);
                result.addAll(matching(criterion, rest)); // what matched already is not read again
            }
            return result;
        }

        private NavigableSet<MessageUid> indexed(List<Criterion> criteria) throws MailboxException {
            SearchQuery query = SearchQuery.builder().andCriteria(criteria).addRecentMessageUids(recent).build();
            NavigableSet<MessageUid> uids = new TreeSet<>();
            SubstringLuceneSearchIndex.super.doSearch(session, mailbox, query).toIterable().forEach(uids::add);
            return uids;
        }

        /**
         * The messages of {@code within} that pass {@code test}: from the {@link HeaderCache} when it
         * keeps the field tested, the others read batch by batch (and their fields kept).
         */
        private NavigableSet<MessageUid> read(NavigableSet<MessageUid> within, ContentTest test) throws MailboxException {
            NavigableSet<MessageUid> kept = new TreeSet<>();
            String folder = mailbox.getMailboxId().serialize();
            List<MessageUid> uids = new ArrayList<>();
            if (!test.readsBody() && HeaderCache.keeps(test.headerName())) {
                for (MessageUid uid : within) {
                    Optional<HeaderCache.Entry> entry = headers.get(folder, uid.asLong());
                    if (entry.isEmpty()) {
                        uids.add(uid);
                    } else if (passes(test, cached(entry.get()), uid)) {
                        kept.add(uid);
                    }
                }
            } else {
                uids.addAll(within);
            }
            FetchType fetch = test.readsBody() ? FetchType.FULL : FetchType.HEADERS;
            for (int from = 0; from < uids.size(); from += READ_BATCH) {
                List<MessageUid> batch = uids.subList(from, Math.min(uids.size(), from + READ_BATCH));
                MailboxSession reader = sessionProvider.createSystemSession(session.getUser());
                try {
                    MessageMapper mapper = factory.getMessageMapper(reader);
                    for (MessageRange range : MessageRange.toRanges(batch)) {
                        Iterator<MailboxMessage> messages = mapper.findInMailbox(mailbox, range, fetch, UNLIMITED);
                        while (messages.hasNext()) {
                            MailboxMessage message = messages.next();
                            Read read = new Read(message);
                            if (within.contains(message.getUid()) && passes(test, read, message.getUid())) {
                                kept.add(message.getUid());
                            }
                            if (read.header != null) {
                                headers.put(folder, message.getUid().asLong(), read.header, read.sentDay());
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new MailboxException("cannot read the header of a message of mailbox " + folder + " for a search", e);
                } finally {
                    factory.endProcessingRequest(reader);
                }
            }
            return kept;
        }

        private boolean passes(ContentTest test, StoredMessage message, MessageUid uid) throws MailboxException {
            try {
                return test.test(message);
            } catch (IOException e) {
                throw new MailboxException("cannot read message " + uid + " of mailbox "
                    + mailbox.getMailboxId().serialize() + " for a search", e);
            }
        }
    }

    private static NavigableSet<MessageUid> intersection(NavigableSet<MessageUid> within, Collection<MessageUid> other) {
        NavigableSet<MessageUid> result = new TreeSet<>(within);
        result.retainAll(other);
        return result;
    }

    /** A message as the cache keeps it (its header fields kept, its sent day). */
    private static StoredMessage cached(HeaderCache.Entry entry) {
        return new StoredMessage() {
            @Override
            public List<HeaderField> header() {
                return entry.fields();
            }

            @Override
            public LocalDate sentDay() {
                return entry.sentDay();
            }

            @Override
            public InputStream full() {
                throw new IllegalStateException("the header cache keeps no body");
            }
        };
    }

    /** A message read from the store; its header parsed once, when first asked for. */
    private static final class Read implements StoredMessage {
        private final MailboxMessage message;
        private List<HeaderField> header;

        Read(MailboxMessage message) {
            this.message = message;
        }

        @Override
        public List<HeaderField> header() throws IOException {
            if (header == null) {
                try (InputStream in = message.getHeaderContent()) {
                    header = MessageText.header(in);
                }
            }
            return header;
        }

        @Override
        public LocalDate sentDay() throws IOException {
            return ContentCriteria.sentDay(header(), message.getInternalDate());
        }

        @Override
        public InputStream full() throws IOException {
            return message.getFullContent();
        }
    }
}
