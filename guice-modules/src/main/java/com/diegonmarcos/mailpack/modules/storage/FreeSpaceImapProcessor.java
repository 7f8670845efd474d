package com.diegonmarcos.mailpack.modules.storage;

import java.io.IOException;
import java.lang.reflect.Constructor;

import javax.inject.Inject;

import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.request.ImapRequest;
import org.apache.james.imap.api.message.response.StatusResponse.ResponseCode;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.AppendRequest;
import org.apache.james.imap.message.request.CopyRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.modules.ratelimit.GuardedImapProcessor;
import com.diegonmarcos.mailpack.storage.FreeSpace;

import reactor.core.publisher.Mono;

/**
 * IMAP in front of the login guard: while the disk is under its free-space minimum ({@link FreeSpace}),
 * APPEND and COPY, the commands that add messages to the store, are answered
 * {@code NO [UNAVAILABLE] Mail storage is nearly full ...}; everything else (LOGIN, SELECT, FETCH,
 * SEARCH, STORE, EXPUNGE, MOVE) works as before, so users can read and delete mail.
 *
 * <p>The response code is RFC 5530's {@code UNAVAILABLE} ("temporary failure because a subsystem is
 * down", the client may retry later): the refusal is temporary and server-wide. {@code OVERQUOTA}
 * would tell the user their own quota is reached, and {@code LIMIT} a fixed limit a retry never
 * passes. James 3.8.1 builds only its own response codes (others get an {@code X} prefix), so this
 * one is made through the private constructor; failing that, the refusal goes without a code.
 */
public class FreeSpaceImapProcessor implements ImapProcessor {
    private static final Logger LOGGER = LoggerFactory.getLogger(FreeSpaceImapProcessor.class);
    static final ResponseCode UNAVAILABLE = responseCode("UNAVAILABLE");
    private static final HumanReadableText FULL = new HumanReadableText("mailpack.imap.DISK_FULL",
        "Mail storage is nearly full: no new messages until space is freed, reading and deleting work");

    private final GuardedImapProcessor delegate;
    private final FreeSpace space;
    private final StatusResponseFactory responses;

    @Inject
    public FreeSpaceImapProcessor(GuardedImapProcessor delegate, FreeSpace space, StatusResponseFactory responses) {
        this.delegate = delegate;
        this.space = space;
        this.responses = responses;
    }

    private static ResponseCode responseCode(String name) {
        try {
            Constructor<ResponseCode> constructor = ResponseCode.class.getDeclaredConstructor(String.class);
            constructor.setAccessible(true);
            return constructor.newInstance(name);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LoggerFactory.getLogger(FreeSpaceImapProcessor.class).warn("Cannot make the IMAP response code {}: {}", name, e.toString());
            return null;
        }
    }

    @Override
    public void process(ImapMessage message, Responder responder, ImapSession session) {
        processReactive(message, responder, session).block();
    }

    @Override
    public Mono<Void> processReactive(ImapMessage message, Responder responder, ImapSession session) {
        boolean adds = message instanceof AppendRequest || message instanceof CopyRequest;
        if (!adds || !space.isLow()) {
            return delegate.processReactive(message, responder, session);
        }
        ImapRequest request = (ImapRequest) message;
        LOGGER.info("Refused IMAP {} of {}: {}", request.getCommand().getName(),
            session.getUserName() == null ? "-" : session.getUserName().asString(), space.describe());
        if (message instanceof AppendRequest) {
            try {
                ((AppendRequest) message).close(); // the literal may be spooled to a file
            } catch (IOException e) {
                LOGGER.debug("Cannot discard a refused APPEND literal", e);
            }
        }
        responder.respond(UNAVAILABLE == null
            ? responses.taggedNo(request.getTag(), request.getCommand(), FULL)
            : responses.taggedNo(request.getTag(), request.getCommand(), FULL, UNAVAILABLE));
        return Mono.empty();
    }

    @Override
    public void configure(ImapConfiguration imapConfiguration) {
        delegate.configure(imapConfiguration);
    }
}
