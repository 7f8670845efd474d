package com.diegonmarcos.mailpack.modules;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.Flags;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.NumericRangeQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;

import reactor.core.publisher.Mono;

/**
 * James' Lucene search index, with flag changes applied per batch instead of per message.
 *
 * <p>James 3.8.1 opens a near-real-time reader (which flushes a new segment) for every message whose
 * flags change. A SELECT that clears {@code \Recent} on 1,000 new messages, or a client marking a
 * folder read, thus cost 1,000 reader reopens and segment merges: the first SELECT of an INBOX after
 * 1,000 deliveries took 15 s here. This index answers the same flag documents in one search per
 * batch (uids grouped into ranges) and rewrites them exactly as James does (same fields, same flag
 * terms), so searches and existing indexes are unaffected.
 *
 * <p>Written against the index schema of James 3.8.1 (field names and flag terms below). The writer is
 * private in James' class; if it cannot be reached (another James version), this falls back to James'
 * own per-message update and says so once.
 */
public class BatchedFlagsLuceneSearchIndex extends LuceneMessageSearchIndex {
    private static final Logger LOGGER = LoggerFactory.getLogger(BatchedFlagsLuceneSearchIndex.class);

    // the index schema of James 3.8.1's LuceneMessageSearchIndex
    static final String ID_FIELD = "id";
    static final String MAILBOX_ID_FIELD = "mailboxid";
    static final String UID_FIELD = "uid";
    static final String FLAGS_FIELD = "flags";
    /** ranges per query: well under Lucene's default limit of 1,024 clauses */
    private static final int RANGES_PER_QUERY = 500;

    /** James' own per-message path, for comparison (bench/select.sh): {@code -Dmailpack.search.perMessageFlags=true} */
    static final String PER_MESSAGE_PROPERTY = "mailpack.search.perMessageFlags";

    private final Optional<IndexWriter> writer;

    @Inject
    public BatchedFlagsLuceneSearchIndex(MailboxSessionMapperFactory factory, MailboxId.Factory mailboxIdFactory,
                                         Directory directory, MessageId.Factory messageIdFactory,
                                         SessionProvider sessionProvider) throws IOException {
        super(factory, mailboxIdFactory, directory, messageIdFactory, sessionProvider);
        this.writer = jamesWriter();
    }

    /** James' Lucene writer, if it could be reached. */
    protected Optional<IndexWriter> writer() {
        return writer;
    }

    /** James' lenient analysis (its default), with reusable token streams; James' strict analysis as it is. */
    @Override
    protected Analyzer createAnalyzer(boolean lenient) {
        return lenient ? new ReusableLenientAnalyzer() : super.createAnalyzer(false);
    }

    private Optional<IndexWriter> jamesWriter() {
        if (Boolean.getBoolean(PER_MESSAGE_PROPERTY)) {
            LOGGER.info("-D{}=true: flag changes are indexed one message at a time, as James does", PER_MESSAGE_PROPERTY);
            return Optional.empty();
        }
        try {
            Field field = LuceneMessageSearchIndex.class.getDeclaredField("writer");
            field.setAccessible(true);
            return Optional.of((IndexWriter) field.get(this));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOGGER.warn("Cannot reach the Lucene writer of {} ({}): flag changes are indexed one message at a time",
                LuceneMessageSearchIndex.class.getName(), e.toString());
            return Optional.empty();
        }
    }

    @Override
    public Mono<Void> update(MailboxSession session, MailboxId mailboxId, List<UpdatedFlags> updatedFlagsList) {
        if (writer.isEmpty()) {
            return super.update(session, mailboxId, updatedFlagsList);
        }
        return Mono.fromRunnable(() -> applyFlagChanges(mailboxId, updatedFlagsList));
    }

    /** Rewrites the flag documents of a batch of changes; changes of messages without one go to {@link #flagsOfUnindexedMessages}. */
    protected void applyFlagChanges(MailboxId mailboxId, List<UpdatedFlags> updatedFlagsList) {
        try {
            Map<Long, Flags> unindexed = updateBatch(writer.orElseThrow(), mailboxId, updatedFlagsList);
            if (!unindexed.isEmpty()) {
                flagsOfUnindexedMessages(mailboxId, unindexed);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot index flag changes in mailbox " + mailboxId.serialize(), e);
        }
    }

    /**
     * Deletes the documents of the messages in {@code range} of the mailbox. James 3.8.1 builds its query for
     * a single UID or "from a UID on", and for a range of UIDs ({@code MessageRange.Type.RANGE}, what an
     * expunge of two or more messages in a row gives) it deletes every document of the mailbox: after such an
     * EXPUNGE no SEARCH found anything in the folder until it was re-indexed.
     */
    @Override
    public void delete(MailboxId mailboxId, MessageRange range) throws IOException {
        if (range.getType() != MessageRange.Type.RANGE) {
            super.delete(mailboxId, range);
            return;
        }
        if (writer.isEmpty()) {
            for (MessageUid uid : range) {
                super.delete(mailboxId, MessageRange.one(uid));
            }
            return;
        }
        BooleanQuery query = new BooleanQuery();
        query.add(new TermQuery(new Term(MAILBOX_ID_FIELD, mailboxId.serialize())), BooleanClause.Occur.MUST);
        query.add(NumericRangeQuery.newLongRange(UID_FIELD, range.getUidFrom().asLong(), range.getUidTo().asLong(), true, true),
            BooleanClause.Occur.MUST);
        writer.orElseThrow().deleteDocuments(query);
    }

    /**
     * Flag changes of messages that have no document in the index (yet): a subclass that indexes new
     * messages later than James does can apply them then. Here they are dropped, as James drops them.
     */
    protected void flagsOfUnindexedMessages(MailboxId mailboxId, Map<Long, Flags> newFlagsByUid) {
    }

    /** Rewrites the flag documents; answers the new flags of the messages that had none. */
    private static Map<Long, Flags> updateBatch(IndexWriter writer, MailboxId mailboxId, List<UpdatedFlags> updates) throws IOException {
        Map<Long, Flags> newFlags = new LinkedHashMap<>();
        for (UpdatedFlags update : updates) {
            newFlags.put(update.getUid().asLong(), update.getNewFlags()); // the last change of a message wins
        }
        List<MessageUid> uids = newFlags.keySet().stream().map(MessageUid::of).sorted().toList();
        List<MessageRange> ranges = MessageRange.toRanges(uids);
        Map<Long, Flags> unindexed = new LinkedHashMap<>(newFlags);
        try (IndexSearcher searcher = new IndexSearcher(IndexReader.open(writer, true))) {
            for (int from = 0; from < ranges.size(); from += RANGES_PER_QUERY) {
                List<MessageRange> chunk = ranges.subList(from, Math.min(ranges.size(), from + RANGES_PER_QUERY));
                for (ScoreDoc hit : searcher.search(flagDocuments(mailboxId, chunk), Math.max(1, newFlags.size())).scoreDocs) {
                    Document document = searcher.doc(hit.doc);
                    Flags flags = unindexed.remove(Long.parseLong(document.get(UID_FIELD)));
                    if (flags == null) {
                        continue;
                    }
                    document.removeFields(FLAGS_FIELD);
                    for (String term : flagTerms(flags)) {
                        document.add(new org.apache.lucene.document.Field(FLAGS_FIELD, term,
                            org.apache.lucene.document.Field.Store.YES, org.apache.lucene.document.Field.Index.NOT_ANALYZED));
                    }
                    if (flags.getSystemFlags().length == 0 && flags.getUserFlags().length == 0) {
                        document.add(new org.apache.lucene.document.Field(FLAGS_FIELD, "",
                            org.apache.lucene.document.Field.Store.NO, org.apache.lucene.document.Field.Index.NOT_ANALYZED));
                    }
                    writer.updateDocument(new Term(ID_FIELD, document.get(ID_FIELD)), document);
                }
            }
        }
        return unindexed;
    }

    /** The flag documents (not the message documents) of the messages in {@code ranges} of the mailbox. */
    private static BooleanQuery flagDocuments(MailboxId mailboxId, List<MessageRange> ranges) {
        BooleanQuery uidsIn = new BooleanQuery();
        for (MessageRange range : ranges) {
            uidsIn.add(NumericRangeQuery.newLongRange(UID_FIELD, range.getUidFrom().asLong(), range.getUidTo().asLong(), true, true),
                BooleanClause.Occur.SHOULD);
        }
        BooleanQuery query = new BooleanQuery();
        query.add(new TermQuery(new Term(MAILBOX_ID_FIELD, mailboxId.serialize())), BooleanClause.Occur.MUST);
        query.add(uidsIn, BooleanClause.Occur.MUST);
        query.add(new PrefixQuery(new Term(FLAGS_FIELD, "")), BooleanClause.Occur.MUST);
        return query;
    }

    /**
     * The terms James 3.8.1 indexes for {@code flags}: system flags by name (and, as James does,
     * {@code \FLAG} for \Seen, which its searches expect), then the user flags as they are.
     */
    @VisibleForTesting
    static List<String> flagTerms(Flags flags) {
        List<String> terms = new ArrayList<>();
        for (Flags.Flag flag : flags.getSystemFlags()) {
            terms.add(systemFlagTerm(flag));
        }
        terms.addAll(List.of(flags.getUserFlags()));
        return terms;
    }

    private static String systemFlagTerm(Flags.Flag flag) {
        if (flag == Flags.Flag.ANSWERED) {
            return "\\ANSWERED";
        } else if (flag == Flags.Flag.DELETED) {
            return "\\DELETED";
        } else if (flag == Flags.Flag.DRAFT) {
            return "\\DRAFT";
        } else if (flag == Flags.Flag.FLAGGED) {
            return "\\FLAGGED";
        } else if (flag == Flags.Flag.RECENT) {
            return "\\RECENT";
        } else if (flag == Flags.Flag.SEEN) {
            return "\\FLAG";
        }
        return flag.toString();
    }
}
