package com.diegonmarcos.mailpack.modules.imap;

import java.nio.charset.CharacterCodingException;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.DecodingException;
import org.apache.james.imap.decode.ImapCommandParser;
import org.apache.james.imap.decode.ImapCommandParserFactory;
import org.apache.james.imap.decode.ImapRequestLineReader;
import org.apache.james.imap.message.request.ListRequest;
import org.apache.james.imap.message.request.LsubRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * James' command parsers, each reading mailbox names strictly ({@link MailboxNameCheckingReader},
 * {@link StrictMailboxNames}: an invalid name is a tagged BAD and the session goes on), and LIST parsed
 * as RFC 5258 writes it ({@link ExtendedListParser}), RFC 5182's {@code $} as {@link SavedSearchResult}.
 */
final class ConformingCommandParsers implements ImapCommandParserFactory {
    private static final Logger LOGGER = LoggerFactory.getLogger(ConformingCommandParsers.class);

    private final ImapCommandParserFactory james;
    private final StatusResponseFactory responses;
    private final ImapCommandParser list;

    ConformingCommandParsers(ImapCommandParserFactory james, StatusResponseFactory responses) {
        this.james = james;
        this.responses = responses;
        this.list = new ExtendedListParser(responses);
    }

    @Override
    public ImapCommandParser getParser(String commandName) {
        ImapCommandParser parser = "LIST".equalsIgnoreCase(commandName) ? list : james.getParser(commandName);
        return parser == null ? null : (request, tag, session) -> parse(commandName, parser, request, tag, session);
    }

    private ImapMessage parse(String commandName, ImapCommandParser parser, ImapRequestLineReader request, Tag tag, ImapSession session) {
        try {
            ImapMessage message = parser.parse(MailboxNameCheckingReader.forCommand(request, commandName), tag, session);
            checkPattern(message);
            return message;
        } catch (DecodingException e) {
            LOGGER.debug("IMAP: refused a command with an invalid mailbox pattern", e);
            return responses.taggedBad(tag, null, e.getKey());
        } catch (Error e) {
            // James' modified UTF-7 decoder (Charset.decode) throws an Error on what it cannot decode
            if (!(e.getCause() instanceof CharacterCodingException)) {
                throw e;
            }
            LOGGER.debug("IMAP: refused a command with an argument that is not modified UTF-7", e);
            return responses.taggedBad(tag, null, HumanReadableText.ILLEGAL_ARGUMENTS);
        }
    }

    /** LIST and LSUB patterns are mailbox names with wildcards, which James decodes only while answering. */
    private static void checkPattern(ImapMessage message) throws DecodingException {
        if (message instanceof ListRequest) {
            StrictMailboxNames.decode(((ListRequest) message).getMailboxPattern());
        } else if (message instanceof LsubRequest) {
            StrictMailboxNames.decode(((LsubRequest) message).getMailboxPattern());
        } else if (message instanceof ListPatternsRequest) {
            for (ListRequest one : ((ListPatternsRequest) message).requests()) {
                StrictMailboxNames.decode(one.getMailboxPattern());
            }
        }
    }
}
