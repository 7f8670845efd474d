package com.diegonmarcos.mailpack.modules.imap;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import javax.mail.Flags;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.response.FetchResponse;
import org.apache.james.imap.message.response.FlagsResponse;

/**
 * RFC 3501 §7.2.6: a client learns the keywords of a mailbox from {@code * FLAGS}. James announces a new
 * keyword only after a STORE (and after the FETCH of the command that met it), never for one that came
 * with a message (APPEND, COPY, MOVE by another session). This responder remembers the last
 * {@code * FLAGS} the session was sent and, before a {@code * n FETCH} whose flags hold a keyword not in
 * it, sends {@code * FLAGS} and {@code * OK [PERMANENTFLAGS]} naming it. James' own announcement of the
 * same set later in the command is then left out.
 */
final class KeywordsAnnouncedFirst implements Responder {
    private static final String ANNOUNCED = KeywordsAnnouncedFirst.class.getName() + ".announced";
    private static final String PERMANENTFLAGS = "PERMANENTFLAGS";

    private final Responder next;
    private final ImapSession session;
    private final StatusResponseFactory responses;
    private boolean dropNextPermanentFlags;

    KeywordsAnnouncedFirst(Responder next, ImapSession session, StatusResponseFactory responses) {
        this.next = next;
        this.session = session;
        this.responses = responses;
    }

    @Override
    public void respond(ImapResponseMessage message) {
        if (message instanceof FlagsResponse) {
            Flags flags = ((FlagsResponse) message).getFlags();
            if (dropNextPermanentFlags && keywords(flags).equals(keywords(announced()))) {
                return; // the same list this command already announced
            }
            dropNextPermanentFlags = false;
            session.setAttribute(ANNOUNCED, new Flags(flags));
        } else if (dropNextPermanentFlags && isPermanentFlags(message)) {
            dropNextPermanentFlags = false;
            return;
        } else if (message instanceof FetchResponse) {
            announceNewKeywords(((FetchResponse) message).getFlags());
        }
        next.respond(message);
    }

    private void announceNewKeywords(Flags shown) {
        Flags announced = announced();
        SelectedMailbox selected = session.getSelected();
        if (shown == null || announced == null || selected == null
            || Arrays.stream(shown.getUserFlags()).allMatch(announced::contains)) {
            return; // system flags are always listed
        }
        Flags all = new Flags(announced);
        all.add(selected.getApplicableFlags());
        all.add(shown);
        all.remove(Flags.Flag.RECENT);
        next.respond(new FlagsResponse(all));
        session.setAttribute(ANNOUNCED, new Flags(all));
        try {
            Flags permanent = selected.getMessageManager().getPermanentFlags(session.getMailboxSession());
            if (permanent.contains(Flags.Flag.USER)) {
                permanent.add(all);
            }
            next.respond(responses.untaggedOk(HumanReadableText.permanentFlags(permanent), StatusResponse.ResponseCode.permanentFlags(permanent)));
        } catch (RuntimeException e) {
            // the FLAGS above is what RFC 3501 requires; PERMANENTFLAGS only when the mailbox answers
        }
        dropNextPermanentFlags = true;
    }

    private Flags announced() {
        return (Flags) session.getAttribute(ANNOUNCED);
    }

    private static Set<String> keywords(Flags flags) {
        Set<String> keywords = new HashSet<>();
        if (flags != null) {
            Arrays.stream(flags.getUserFlags()).map(keyword -> keyword.toLowerCase(Locale.ROOT)).forEach(keywords::add);
        }
        return keywords; // keywords are case-insensitive (RFC 3501 §2.3.2)
    }

    private static boolean isPermanentFlags(ImapResponseMessage message) {
        return message instanceof StatusResponse && ((StatusResponse) message).getTag() == null
            && ((StatusResponse) message).getResponseCode() != null
            && PERMANENTFLAGS.equals(((StatusResponse) message).getResponseCode().getCode());
    }

    @Override
    public void flush() {
        next.flush();
    }
}
