package com.diegonmarcos.mailpack.modules.imap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.message.IdRange;
import org.apache.james.imap.api.message.UidRange;
import org.apache.james.imap.api.message.request.SearchKey;
import org.apache.james.imap.api.message.request.SearchOperation;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.CopyRequest;
import org.apache.james.imap.message.request.ExpungeRequest;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.message.request.MoveRequest;
import org.apache.james.imap.message.request.SearchRequest;
import org.apache.james.imap.message.request.StoreRequest;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MessageRange;

/**
 * The search result variable of RFC 5182 (SEARCHRES), {@code $}: the messages a {@code SEARCH RETURN (SAVE)}
 * found, kept as UIDs in the session, so that {@code $} names the same messages in a UID command and in a
 * sequence-number command, whichever kind of SEARCH saved it, and loses a message when it is expunged
 * (§2.1). James 3.8.1 keeps the numbers its SEARCH answered and gives them back as they are, when the next
 * command is read: sequence numbers saved by a SEARCH were taken as UIDs by a UID FETCH, named other messages
 * (or none) after an EXPUNGE, and a command pipelined after the SEARCH got the result before.
 *
 * <p>A command is read with a marker where it says {@code $} ({@link MailboxNameCheckingReader}); {@link #resolve}
 * puts the saved messages in its place when the command runs.
 */
final class SavedSearchResult {
    /** {@code $} as a message set of a UID command. */
    static final IdRange[] UIDS = new IdRange[0];
    /** {@code $} as a message set of sequence numbers (also a search's bare {@code $}). */
    static final IdRange[] SEQUENCE_NUMBERS = new IdRange[0];
    /** {@code $} after a search's {@code UID} key. */
    static final UidRange[] UID_KEY = new UidRange[0];

    private static final String ATTRIBUTE = "mailpack.imap.searchres";

    private SavedSearchResult() {
    }

    static void save(ImapSession session, Collection<MessageUid> uids) {
        session.setAttribute(ATTRIBUTE, List.copyOf(new TreeSet<>(uids)));
    }

    /** §2.1: a SELECT or EXAMINE, and a SEARCH (SAVE) answered NO, leave the variable empty. */
    static void reset(ImapSession session) {
        session.setAttribute(ATTRIBUTE, null);
    }

    /** The UIDs that {@code ranges} (sequence numbers, or UIDs when {@code rangesAreUids}) name in the selected mailbox now. */
    static List<MessageUid> uidsOf(IdRange[] ranges, boolean rangesAreUids, SelectedMailbox selected) {
        List<MessageUid> uids = new ArrayList<>();
        for (IdRange range : ranges) {
            for (long number = Math.max(1, range.getLowVal()); number <= range.getHighVal(); number++) {
                if (rangesAreUids) {
                    uids.add(MessageUid.of(number));
                } else if (number <= Integer.MAX_VALUE && selected != null) {
                    selected.uid((int) number).ifPresent(uids::add);
                } else {
                    break;
                }
            }
        }
        return uids;
    }

    @SuppressWarnings("unchecked")
    private static List<MessageUid> saved(ImapSession session) {
        return Optional.ofNullable((List<MessageUid>) session.getAttribute(ATTRIBUTE)).orElse(List.of());
    }

    private static IdRange[] ranges(ImapSession session, IdRange[] ids) {
        if (ids == UIDS) {
            return MessageRange.toRanges(saved(session)).stream()
                .map(range -> new IdRange(range.getUidFrom().asLong(), range.getUidTo().asLong()))
                .toArray(IdRange[]::new);
        }
        if (ids == SEQUENCE_NUMBERS) {
            // the current numbers of the saved messages still in the mailbox
            SelectedMailbox selected = session.getSelected();
            List<IdRange> numbers = new ArrayList<>();
            if (selected != null) {
                for (MessageUid uid : saved(session)) {
                    selected.msn(uid).ifPresent(msn -> numbers.add(new IdRange(msn.asInt())));
                }
            }
            return IdRange.mergeRanges(numbers).toArray(IdRange[]::new);
        }
        return ids;
    }

    private static boolean marked(IdRange[] ids) {
        return ids == UIDS || ids == SEQUENCE_NUMBERS;
    }

    /** {@code message} with the saved messages in place of each {@code $} marker (itself when it has none). */
    static ImapMessage resolve(ImapMessage message, ImapSession session) {
        if (message instanceof FetchRequest && marked(((FetchRequest) message).getIdSet())) {
            FetchRequest fetch = (FetchRequest) message;
            return new FetchRequest(fetch.isUseUids(), ranges(session, fetch.getIdSet()), fetch.getFetch(), fetch.getTag());
        }
        if (message instanceof StoreRequest && marked(((StoreRequest) message).getIdSet())) {
            StoreRequest store = (StoreRequest) message;
            return new StoreRequest(ranges(session, store.getIdSet()), store.isSilent(), store.getFlags(), store.isUseUids(), store.getTag(),
                store.getFlagsUpdateMode(), store.getUnchangedSince());
        }
        if (message instanceof CopyRequest && marked(((CopyRequest) message).getIdSet())) {
            CopyRequest copy = (CopyRequest) message;
            return new CopyRequest(ranges(session, copy.getIdSet()), copy.getMailboxName(), copy.isUseUids(), copy.getTag());
        }
        if (message instanceof MoveRequest && marked(((MoveRequest) message).getIdSet())) {
            MoveRequest move = (MoveRequest) message;
            return new MoveRequest(ranges(session, move.getIdSet()), move.getMailboxName(), move.isUseUids(), move.getTag());
        }
        if (message instanceof ExpungeRequest && marked(((ExpungeRequest) message).getUidSet())) {
            ExpungeRequest expunge = (ExpungeRequest) message;
            return new ExpungeRequest(expunge.getTag(), ranges(session, expunge.getUidSet()));
        }
        if (message instanceof SearchRequest) {
            SearchRequest search = (SearchRequest) message;
            SearchOperation operation = search.getSearchOperation();
            SearchKey key = resolve(operation.getSearchKey(), session);
            if (key != operation.getSearchKey()) {
                return new SearchRequest(new SearchOperation(key, operation.getResultOptions()), search.isUseUids(), search.getTag());
            }
        }
        return message;
    }

    /** The key with its {@code $} markers resolved; the same instance when it has none. */
    private static SearchKey resolve(SearchKey key, ImapSession session) {
        switch (key.getType()) {
            case TYPE_SEQUENCE_SET:
                return marked(key.getSequenceNumbers()) ? SearchKey.buildSequenceSet(ranges(session, key.getSequenceNumbers())) : key;
            case TYPE_UID:
                if (key.getUidRanges() != UID_KEY) {
                    return key;
                }
                return SearchKey.buildUidSet(MessageRange.toRanges(saved(session)).stream()
                    .map(range -> new UidRange(range.getUidFrom(), range.getUidTo())).toArray(UidRange[]::new));
            case TYPE_AND: {
                List<SearchKey> keys = key.getKeys().stream().map(one -> resolve(one, session)).collect(Collectors.toList());
                return sameKeys(key.getKeys(), keys) ? key : SearchKey.buildAnd(keys);
            }
            case TYPE_OR: {
                List<SearchKey> keys = key.getKeys().stream().map(one -> resolve(one, session)).collect(Collectors.toList());
                return sameKeys(key.getKeys(), keys) ? key : SearchKey.buildOr(keys.get(0), keys.get(1));
            }
            case TYPE_NOT: {
                SearchKey inner = resolve(key.getKeys().get(0), session);
                return inner == key.getKeys().get(0) ? key : SearchKey.buildNot(inner);
            }
            default:
                return key;
        }
    }

    private static boolean sameKeys(List<SearchKey> before, List<SearchKey> after) {
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i) != after.get(i)) {
                return false;
            }
        }
        return true;
    }
}
