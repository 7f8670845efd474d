package com.diegonmarcos.mailpack.modules.imap;

import java.util.Arrays;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.message.request.ImapRequest;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.AbstractMailboxSelectionRequest;
import org.apache.james.imap.message.request.CloseRequest;
import org.apache.james.imap.message.request.ExamineRequest;
import org.apache.james.imap.message.request.ExpungeRequest;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.message.request.MoveRequest;
import org.apache.james.imap.message.request.StoreRequest;
import org.apache.james.imap.message.request.UnselectRequest;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;

import reactor.core.publisher.Mono;

/**
 * RFC 3501 §6.3.2: a mailbox opened with EXAMINE is read-only, "no changes to the permanent state of the
 * mailbox, including per-user state, are permitted". James 3.8.1 answers EXAMINE with {@code [READ-ONLY]}
 * and then lets the session change it: {@code FETCH BODY[]} set {@code \Seen} (§6.4.5 sets it only where
 * the mailbox may change; every JavaMail reader of a folder opened READ_ONLY marked all it read), STORE
 * changed flags, EXPUNGE and MOVE removed messages and CLOSE expunged the {@code \Deleted} ones. Here,
 * while the selection is an EXAMINE:
 * <ul>
 *   <li>FETCH of a body section is done as its {@code .PEEK} form;</li>
 *   <li>STORE, EXPUNGE, UID EXPUNGE and MOVE get {@code NO}, nothing changed;</li>
 *   <li>CLOSE ends the selection without expunging (§6.4.2: "no messages are removed, and no error is
 *       given").</li>
 * </ul>
 * COPY from it and APPEND to it stay allowed: they change another mailbox, or add as any session may.
 */
final class ExaminedStaysUnchanged extends ImapProcessorDecorator {
    private static final String EXAMINED = ExaminedStaysUnchanged.class.getName() + ".examined";

    private final StatusResponseFactory responses = new UnpooledStatusResponseFactory();

    ExaminedStaysUnchanged(ImapProcessor james) {
        super(james);
    }

    @Override
    public Mono<Void> processReactive(ImapMessage message, Responder responder, ImapSession session) {
        return Mono.defer(() -> run(message, responder, session)); // the selection as the commands before left it
    }

    private Mono<Void> run(ImapMessage message, Responder responder, ImapSession session) {
        if (message instanceof AbstractMailboxSelectionRequest) {
            session.setAttribute(EXAMINED, null);
            if (message instanceof ExamineRequest) {
                return james.processReactive(message, onTagged(responder, ok -> session.setAttribute(EXAMINED, ok ? Boolean.TRUE : null)), session);
            }
            return james.processReactive(message, responder, session);
        }
        if (session.getSelected() == null || !Boolean.TRUE.equals(session.getAttribute(EXAMINED))) {
            return james.processReactive(message, responder, session);
        }
        if (message instanceof FetchRequest && ((FetchRequest) message).getFetch().isSetSeen()) {
            return james.processReactive(peeking((FetchRequest) message), responder, session);
        }
        if (message instanceof StoreRequest || message instanceof ExpungeRequest || message instanceof MoveRequest) {
            ImapRequest request = (ImapRequest) message;
            responder.respond(responses.taggedNo(request.getTag(), request.getCommand(), HumanReadableText.MAILBOX_IS_READ_ONLY));
            return Mono.empty();
        }
        if (message instanceof CloseRequest) {
            CloseRequest close = (CloseRequest) message;
            session.setAttribute(EXAMINED, null);
            // UNSELECT is CLOSE without the expunge; its OK is answered as CLOSE's
            return james.processReactive(new UnselectRequest(close.getTag()), onTagged(responder, ok -> { }, close), session);
        }
        return james.processReactive(message, responder, session);
    }

    /** The same FETCH with every body section as {@code BODY.PEEK[…]}: nothing sets {@code \Seen}. */
    static FetchRequest peeking(FetchRequest request) {
        FetchData fetch = request.getFetch();
        FetchData.Builder peeking = FetchData.builder();
        Arrays.stream(FetchData.Item.values()).filter(fetch::contains).forEach(peeking::fetch);
        if (fetch.getChangedSince() != -1) {
            peeking.changedSince(fetch.getChangedSince());
        }
        peeking.vanished(fetch.getVanished());
        fetch.getBodyElements().forEach(element -> peeking.add(element, true));
        return new FetchRequest(request.isUseUids(), request.getIdSet(), peeking.build(), request.getTag());
    }

    private Responder onTagged(Responder next, java.util.function.Consumer<Boolean> outcome) {
        return onTagged(next, outcome, null);
    }

    /** Tells {@code outcome} whether the tagged answer was OK; with {@code answeredAs}, an OK is given as its. */
    private Responder onTagged(Responder next, java.util.function.Consumer<Boolean> outcome, ImapRequest answeredAs) {
        return new Responder() {
            @Override
            public void respond(ImapResponseMessage response) {
                if (response instanceof StatusResponse && ((StatusResponse) response).getTag() != null) {
                    boolean ok = ((StatusResponse) response).getServerResponseType() == StatusResponse.Type.OK;
                    outcome.accept(ok);
                    if (ok && answeredAs != null) {
                        next.respond(responses.taggedOk(answeredAs.getTag(), answeredAs.getCommand(), HumanReadableText.COMPLETED));
                        return;
                    }
                }
                next.respond(response);
            }

            @Override
            public void flush() {
                next.flush();
            }
        };
    }
}
