package com.diegonmarcos.mailpack.modules.imap;

import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;

/**
 * A layer around James' IMAP processor: it decides what to do with a command in
 * {@link #processReactive}; the blocking form and the configuration go to the processor inside.
 */
abstract class ImapProcessorDecorator implements ImapProcessor {
    protected final ImapProcessor james;

    ImapProcessorDecorator(ImapProcessor james) {
        this.james = james;
    }

    @Override
    public final void process(ImapMessage message, Responder responder, ImapSession session) {
        processReactive(message, responder, session).block();
    }

    @Override
    public final void configure(ImapConfiguration configuration) {
        james.configure(configuration);
    }
}
