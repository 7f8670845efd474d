package com.diegonmarcos.mailpack.modules.imap;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

import org.apache.james.imap.api.ImapConstants;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.DecodingException;
import org.apache.james.imap.decode.ImapCommandParser;
import org.apache.james.imap.decode.ImapRequestLineReader;
import org.apache.james.imap.decode.parser.ListCommandParser;
import org.apache.james.imap.message.request.ListRequest;
import org.apache.james.imap.message.request.ListRequest.ListReturnOption;
import org.apache.james.imap.message.request.ListRequest.ListSelectOption;

/**
 * LIST as RFC 5258 §3 writes it, where James 3.8.1 takes one pattern only, lists everything for
 * {@code (RECURSIVEMATCH)} alone and nothing for {@code (REMOTE)}:
 * <pre>
 * list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
 * mbox-or-pat = list-mailbox / patterns;  patterns = "(" list-mailbox *(SP list-mailbox) ")"
 * </pre>
 * Selection options, reference and patterns are read here; the return options (CHILDREN, SUBSCRIBED,
 * STATUS, MYRIGHTS, SPECIAL-USE) by James' own parser, handed the rest of the line. REMOTE is dropped:
 * it asks for remote mailboxes in addition, and this server has none. Several patterns make a
 * {@link ListPatternsRequest}.
 */
final class ExtendedListParser implements ImapCommandParser {
    /** What James' parser reads before the return options: an empty reference and a one-letter pattern. */
    private static final String REST_AFTER = "\"\" x";

    private final StatusResponseFactory responses;
    private final ListCommandParser james;

    ExtendedListParser(StatusResponseFactory responses) {
        this.responses = responses;
        this.james = new ListCommandParser(responses);
    }

    @Override
    public ImapMessage parse(ImapRequestLineReader request, Tag tag, ImapSession session) {
        if (!ImapConstants.LIST_COMMAND.validForState(session.getState())) {
            return responses.taggedNo(tag, ImapConstants.LIST_COMMAND, HumanReadableText.INVALID_COMMAND);
        }
        try {
            EnumSet<ListSelectOption> selection = selectionOptions(request);
            String reference = request.mailbox();
            List<String> patterns = patterns(request);
            ImapMessage rest = james.parse(new MailboxNameCheckingReader(request, REST_AFTER), tag, session);
            if (!(rest instanceof ListRequest)) {
                return rest; // James' answer to bad return options
            }
            ListRequest returns = (ListRequest) rest;
            EnumSet<ListReturnOption> returnOptions = EnumSet.noneOf(ListReturnOption.class);
            returnOptions.addAll(returns.getReturnOptions());
            if (selection.contains(ListSelectOption.SPECIAL_USE)) {
                returnOptions.add(ListReturnOption.SPECIAL_USE);
            }
            List<ListRequest> requests = new ArrayList<>();
            for (String pattern : patterns) {
                requests.add(new ListRequest(ImapConstants.LIST_COMMAND, reference, pattern, tag,
                    EnumSet.copyOf(selection), EnumSet.copyOf(returnOptions),
                    returns.getStatusDataItems()));
            }
            return requests.size() == 1 ? requests.get(0) : new ListPatternsRequest(tag, requests);
        } catch (DecodingException e) {
            return responses.taggedBad(tag, ImapConstants.LIST_COMMAND, e.getKey());
        }
    }

    private static EnumSet<ListSelectOption> selectionOptions(ImapRequestLineReader request) throws DecodingException {
        EnumSet<ListSelectOption> options = EnumSet.noneOf(ListSelectOption.class);
        if (request.nextWordChar() != '(') {
            return options;
        }
        request.consume();
        while (request.nextWordChar() != ')') {
            String option = word(request).toUpperCase(Locale.US);
            switch (option) {
                case "SUBSCRIBED":
                    options.add(ListSelectOption.SUBSCRIBED);
                    break;
                case "REMOTE":
                    options.add(ListSelectOption.REMOTE);
                    break;
                case "RECURSIVEMATCH":
                    options.add(ListSelectOption.RECURSIVEMATCH);
                    break;
                case "SPECIAL-USE":
                    options.add(ListSelectOption.SPECIAL_USE);
                    break;
                default:
                    throw bad("Unknown LIST selection option: '" + option + "'");
            }
        }
        request.consume();
        EnumSet<ListSelectOption> base = EnumSet.copyOf(options);
        base.removeAll(EnumSet.of(ListSelectOption.REMOTE, ListSelectOption.RECURSIVEMATCH));
        if (options.contains(ListSelectOption.RECURSIVEMATCH) && base.isEmpty()) {
            // RFC 5258 §3.1: "MUST NOT occur as the only selection option (or only with REMOTE)"
            throw bad("RECURSIVEMATCH needs another selection option");
        }
        options.remove(ListSelectOption.REMOTE);
        return options;
    }

    private static List<String> patterns(ImapRequestLineReader request) throws DecodingException {
        List<String> patterns = new ArrayList<>();
        if (request.nextWordChar() != '(') {
            patterns.add(pattern(request));
            return patterns;
        }
        request.consume();
        while (request.nextWordChar() != ')') {
            patterns.add(pattern(request));
        }
        request.consume();
        if (patterns.isEmpty()) {
            throw bad("Empty list of LIST patterns");
        }
        return patterns;
    }

    /** list-mailbox = 1*list-char / string. */
    private static String pattern(ImapRequestLineReader request) throws DecodingException {
        switch (request.nextWordChar()) {
            case '"':
                return request.consumeQuoted();
            case '{':
                return request.consumeLiteral(null);
            default:
                String pattern = word(request);
                if (pattern.isEmpty()) {
                    throw bad("Missing LIST pattern");
                }
                return pattern;
        }
    }

    /** The characters up to a space, a parenthesis, a quote or the end of the line. */
    private static String word(ImapRequestLineReader request) throws DecodingException {
        StringBuilder word = new StringBuilder();
        char next = request.nextChar();
        while (next != ' ' && next != '(' && next != ')' && next != '"' && next != '\r' && next != '\n' && next > 0x1f && next != 0x7f) {
            word.append(request.consume());
            next = request.nextChar();
        }
        return word.toString();
    }

    private static DecodingException bad(String message) {
        return new DecodingException(HumanReadableText.ILLEGAL_ARGUMENTS, message);
    }
}
