package com.diegonmarcos.mailpack.modules.imap;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.message.request.SearchResultOption;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SearchResUtil;
import org.apache.james.imap.message.request.AbstractMailboxSelectionRequest;
import org.apache.james.imap.message.request.SearchRequest;
import org.apache.james.imap.message.response.SearchResponse;

import reactor.core.publisher.Mono;

/**
 * RFC 5182 (SEARCHRES) around James' IMAP processor, outermost (it gives every other layer the messages a
 * {@code $} names):
 * <ul>
 *   <li>a command's {@code $} is the saved result as it is when the command runs ({@link SavedSearchResult});</li>
 *   <li>{@code SEARCH RETURN (SAVE)} without another result option answers no SEARCH response (§1: SAVE "also
 *       suppresses any SEARCH response"; James sent {@code * SEARCH …}); what it found (as James' SearchProcessor
 *       chose it, all or the MIN/MAX, §2.4) is saved as UIDs; answered NO, the result is emptied; answered BAD,
 *       it is left (§2.1);</li>
 *   <li>SELECT and EXAMINE empty it (§2.1).</li>
 * </ul>
 */
final class SavedSearchResultProcessor extends ImapProcessorDecorator {

    SavedSearchResultProcessor(ImapProcessor james) {
        super(james);
    }

    /**
     * Deferred: James calls this when it reads the command, and runs the result after the commands before it;
     * {@code $} must be what they left.
     */
    @Override
    public Mono<Void> processReactive(ImapMessage message, Responder responder, ImapSession session) {
        return Mono.defer(() -> run(message, responder, session));
    }

    private Mono<Void> run(ImapMessage message, Responder responder, ImapSession session) {
        if (message instanceof AbstractMailboxSelectionRequest) {
            SavedSearchResult.reset(session);
            return james.processReactive(message, responder, session);
        }
        ImapMessage resolved = SavedSearchResult.resolve(message, session);
        if (resolved instanceof SearchRequest && saves((SearchRequest) resolved)) {
            return searchAndSave((SearchRequest) resolved, responder, session);
        }
        return james.processReactive(resolved, responder, session);
    }

    private static boolean saves(SearchRequest request) {
        List<SearchResultOption> options = request.getSearchOperation().getResultOptions();
        return options != null && options.contains(SearchResultOption.SAVE);
    }

    private Mono<Void> searchAndSave(SearchRequest request, Responder responder, ImapSession session) {
        boolean saveAlone = request.getSearchOperation().getResultOptions().stream().allMatch(SearchResultOption.SAVE::equals);
        AtomicReference<StatusResponse.Type> outcome = new AtomicReference<>();
        Responder watching = new Responder() {
            @Override
            public void respond(ImapResponseMessage response) {
                if (response instanceof StatusResponse && ((StatusResponse) response).getTag() != null) {
                    outcome.set(((StatusResponse) response).getServerResponseType());
                }
                if (saveAlone && response instanceof SearchResponse) {
                    return;
                }
                responder.respond(response);
            }

            @Override
            public void flush() {
                responder.flush();
            }
        };
        return james.processReactive(request, watching, session)
            .then(Mono.fromRunnable(() -> {
                if (outcome.get() == StatusResponse.Type.OK) {
                    SavedSearchResult.save(session, SavedSearchResult.uidsOf(SearchResUtil.getSavedSequenceSet(session),
                        request.isUseUids(), session.getSelected()));
                } else if (outcome.get() == StatusResponse.Type.NO) {
                    SavedSearchResult.reset(session);
                }
            }));
    }
}
