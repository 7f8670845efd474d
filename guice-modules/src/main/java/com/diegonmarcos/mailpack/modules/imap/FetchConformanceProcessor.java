package com.diegonmarcos.mailpack.modules.imap;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.message.request.MoveRequest;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;

import reactor.core.publisher.Mono;

/**
 * James' IMAP processor with the order of its answers put right where RFCs fix it (issue 18):
 * <ul>
 *   <li>MOVE (RFC 6851 §4.3): {@code * OK [COPYUID …]} before the EXPUNGEs, source set in UIDs
 *       ({@link MoveCopyUidFirst});</li>
 *   <li>a keyword new to the session is announced ({@code * FLAGS}, {@code * OK [PERMANENTFLAGS]},
 *       RFC 3501 §7.2.6) before a FETCH shows it ({@link KeywordsAnnouncedFirst});</li>
 *   <li>ENVELOPE (RFC 3501 §7.4.2): {@code user@domain (Real Name)} has the comment as personal name
 *       ({@link EnvelopeCommentNames}).</li>
 * </ul>
 * Only the responses a command gives are rearranged; what James does with the mailbox is unchanged.
 */
public final class FetchConformanceProcessor extends ImapProcessorDecorator {
    private final StatusResponseFactory responses = new UnpooledStatusResponseFactory();

    public FetchConformanceProcessor(ImapProcessor james) {
        super(james);
    }

    @Override
    public Mono<Void> processReactive(ImapMessage message, Responder responder, ImapSession session) {
        Responder envelopes = message instanceof FetchRequest ? new EnvelopeCommentNames(responder, session) : responder;
        Responder keywords = new KeywordsAnnouncedFirst(envelopes, session, responses);
        if (message instanceof MoveRequest && session.getSelected() != null) {
            MoveCopyUidFirst move = new MoveCopyUidFirst(keywords, (MoveRequest) message, session.getSelected(), responses);
            return james.processReactive(message, move, session).then(Mono.fromRunnable(move::release));
        }
        return james.processReactive(message, keywords, session);
    }
}
