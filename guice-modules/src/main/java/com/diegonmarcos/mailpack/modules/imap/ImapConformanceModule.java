package com.diegonmarcos.mailpack.modules.imap;

import javax.inject.Named;

import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapCommandParserFactory;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.decode.main.DefaultImapDecoder;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/**
 * IMAP as the RFCs write it where James 3.8.1 differs (issue 18): mailbox names read strictly and LIST
 * with RFC 5258's syntax ({@link ConformingCommandParsers}), CONDSTORE/QRESYNC and LIST answers fixed
 * ({@link ConformingImapProcessor}, around whatever {@link ImapProcessor} the server binds, also
 * announcing RFC 4314's {@code RIGHTS=texk}). Replaces James' {@link ImapDecoder} binding, so it goes among
 * the server's overrides.
 */
public class ImapConformanceModule extends AbstractModule {
    static final String CONFORMING = "mailpack.imap.conforming";

    @Provides
    ImapDecoder decoder(ImapCommandParserFactory parsers, StatusResponseFactory responses) {
        return new DefaultImapDecoder(responses, new ConformingCommandParsers(parsers, responses));
    }

    /** The processor each IMAP listener gets ({@link ImapLimitsModule}): the server's own, decorated. */
    @Provides
    @Named(CONFORMING)
    ImapProcessor processor(ImapProcessor processor, StatusResponseFactory responses) {
        return new ConformingImapProcessor(processor, responses);
    }
}
