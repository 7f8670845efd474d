package com.diegonmarcos.mailpack.modules.imap;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.response.FetchResponse;
import org.apache.james.imap.message.response.FetchResponse.Envelope;
import org.apache.james.imap.message.response.FetchResponse.Envelope.Address;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResultIterator;

/**
 * ENVELOPE (RFC 3501 §7.4.2): the personal name of {@code user@domain (Real Name)}, RFC 822's form still
 * sent by old mailers and lists, is the comment, as Dovecot answers; James' address parser drops comments
 * and answers NIL. For an envelope with an address without a name, this responder reads the message's
 * header again and takes a comment that directly follows the address (a display name always wins).
 * Envelopes whose addresses all have a name (or none has a trailing comment) go out as James built them.
 */
final class EnvelopeCommentNames implements Responder {
    private final Responder next;
    private final ImapSession session;

    EnvelopeCommentNames(Responder next, ImapSession session) {
        this.next = next;
        this.session = session;
    }

    @Override
    public void respond(ImapResponseMessage message) {
        if (message instanceof FetchResponse && ((FetchResponse) message).getEnvelope() != null
            && hasUnnamed(((FetchResponse) message).getEnvelope())) {
            next.respond(named((FetchResponse) message));
        } else {
            next.respond(message);
        }
    }

    private static boolean hasUnnamed(Envelope envelope) {
        return Arrays.asList(envelope.getFrom(), envelope.getSender(), envelope.getReplyTo(), envelope.getTo(), envelope.getCc(), envelope.getBcc())
            .stream().filter(addresses -> addresses != null).flatMap(Arrays::stream)
            .anyMatch(address -> address.getPersonalName() == null && address.getHostName() != null);
    }

    private FetchResponse named(FetchResponse fetch) {
        Optional<Map<String, String>> headers = headers(fetch);
        if (headers.isEmpty()) {
            return fetch;
        }
        Map<String, String> values = headers.get();
        Envelope james = fetch.getEnvelope();
        String from = values.get("from");
        Envelope envelope = new Envelope() {
            @Override public String getDate() { return james.getDate(); }
            @Override public String getSubject() { return james.getSubject(); }
            @Override public Address[] getFrom() { return named(james.getFrom(), from); }
            @Override public Address[] getSender() { return named(james.getSender(), values.getOrDefault("sender", from)); }
            @Override public Address[] getReplyTo() { return named(james.getReplyTo(), values.getOrDefault("reply-to", from)); }
            @Override public Address[] getTo() { return named(james.getTo(), values.get("to")); }
            @Override public Address[] getCc() { return named(james.getCc(), values.get("cc")); }
            @Override public Address[] getBcc() { return named(james.getBcc(), values.get("bcc")); }
            @Override public String getInReplyTo() { return james.getInReplyTo(); }
            @Override public String getMessageId() { return james.getMessageId(); }
        };
        return new FetchResponse(fetch.getMessageNumber(), fetch.getFlags(), fetch.getUid(), fetch.getSaveDate(), fetch.getModSeq(),
            fetch.getInternalDate(), fetch.getSize(), envelope, fetch.getBody(), fetch.getBodyStructure(), fetch.getElements(),
            fetch.getEmailId(), fetch.getThreadId());
    }

    /** The first value of each address header of the fetched message, by lower-case name. */
    private Optional<Map<String, String>> headers(FetchResponse fetch) {
        SelectedMailbox selected = session.getSelected();
        if (selected == null) {
            return Optional.empty();
        }
        Optional<MessageUid> uid = Optional.ofNullable(fetch.getUid()).or(() -> selected.uid(fetch.getMessageNumber().asInt()));
        if (uid.isEmpty()) {
            return Optional.empty();
        }
        MessageManager mailbox = selected.getMessageManager();
        try {
            MessageResultIterator messages = mailbox.getMessages(MessageRange.one(uid.get()), FetchGroup.HEADERS, session.getMailboxSession());
            if (!messages.hasNext()) {
                return Optional.empty();
            }
            Map<String, String> values = new HashMap<>();
            Iterator<Header> headers = messages.next().getHeaders().headers();
            while (headers.hasNext()) {
                Header header = headers.next();
                values.putIfAbsent(header.getName().toLowerCase(Locale.ROOT), header.getValue());
            }
            return Optional.of(values);
        } catch (MailboxException e) {
            return Optional.empty(); // James' envelope, without the comment names
        }
    }

    private static Address[] named(Address[] addresses, String headerValue) {
        if (addresses == null || headerValue == null) {
            return addresses;
        }
        String value = unfold(headerValue);
        Address[] named = addresses.clone();
        int from = 0;
        for (int i = 0; i < named.length; i++) {
            Address address = named[i];
            if (address.getHostName() == null || address.getMailboxName() == null) {
                continue; // group start or end
            }
            String spec = address.getMailboxName() + "@" + address.getHostName();
            int at = value.toLowerCase(Locale.ROOT).indexOf(spec.toLowerCase(Locale.ROOT), from);
            if (at < 0) {
                continue;
            }
            from = at + spec.length();
            if (address.getPersonalName() == null) {
                String comment = trailingComment(value, from);
                if (comment != null) {
                    named[i] = withName(address, comment);
                }
            }
        }
        return named;
    }

    /** The text of a comment right after {@code start} (spaces and a closing {@code >} skipped), or null. */
    static String trailingComment(String value, int start) {
        int i = start;
        if (i < value.length() && value.charAt(i) == '>') {
            i++;
        }
        while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
            i++;
        }
        if (i >= value.length() || value.charAt(i) != '(') {
            return null;
        }
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                text.append(value.charAt(++i)); // quoted-pair
                continue;
            }
            if (c == '(') {
                depth++;
                if (depth == 1) {
                    continue;
                }
            } else if (c == ')') {
                depth--;
                if (depth == 0) {
                    String name = text.toString().trim();
                    return name.isEmpty() ? null : name;
                }
            }
            text.append(c);
        }
        return null; // unbalanced: no name rather than a guess
    }

    private static String unfold(String value) {
        return value.replaceAll("\r?\n(?=[ \t])", "");
    }

    private static Address withName(Address address, String name) {
        return new Address() {
            @Override public String getPersonalName() { return name; }
            @Override public String getAtDomainList() { return address.getAtDomainList(); }
            @Override public String getMailboxName() { return address.getMailboxName(); }
            @Override public String getHostName() { return address.getHostName(); }
        };
    }

    @Override
    public void flush() {
        next.flush();
    }
}
