package com.diegonmarcos.mailpack.modules.storage;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.ImapConstants;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.request.ImapRequest;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.message.response.StatusResponse.ResponseCode;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.AppendRequest;
import org.apache.james.imap.message.request.CopyRequest;
import org.apache.james.imap.message.request.GetQuotaRequest;
import org.apache.james.imap.message.request.GetQuotaRootRequest;
import org.apache.james.imap.message.response.QuotaResponse;
import org.apache.james.imap.main.PathConverter;
import org.apache.james.imap.message.response.QuotaRootResponse;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootResolver;
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
 *
 * <p>GETQUOTAROOT and GETQUOTA (RFC 2087) of a user without a storage limit: James answers no
 * {@code STORAGE} resource at all, and clients show "Unknown" (Roundcube). The limit such a user
 * really has is the disk: here the answer names the usage James counts and, as the limit, that usage
 * plus the space left above the free-space minimum, in KiB. A set limit is answered as James does.
 * GETQUOTAROOT of a mailbox that does not exist is answered {@code NO [NONEXISTENT]} (RFC 5530) here:
 * James failed on it with an ERROR and a stack trace in the log, which any client could repeat at will.
 */
public class FreeSpaceImapProcessor implements ImapProcessor {
    private static final Logger LOGGER = LoggerFactory.getLogger(FreeSpaceImapProcessor.class);
    static final ResponseCode UNAVAILABLE = responseCode("UNAVAILABLE");
    static final ResponseCode NONEXISTENT = responseCode("NONEXISTENT");
    private static final HumanReadableText NO_SUCH_MAILBOX = new HumanReadableText("mailpack.imap.NO_SUCH_MAILBOX",
        "Mailbox does not exist");
    private static final HumanReadableText FULL = new HumanReadableText("mailpack.imap.DISK_FULL",
        "Mail storage is nearly full: no new messages until space is freed, reading and deleting work");

    private final GuardedImapProcessor delegate;
    private final FreeSpace space;
    private final StatusResponseFactory responses;
    private final QuotaManager quotaManager;
    private final QuotaRootResolver quotaRootResolver;
    private final MailboxManager mailboxManager;

    @Inject
    public FreeSpaceImapProcessor(GuardedImapProcessor delegate, FreeSpace space, StatusResponseFactory responses,
                                  QuotaManager quotaManager, QuotaRootResolver quotaRootResolver, MailboxManager mailboxManager) {
        this.delegate = delegate;
        this.space = space;
        this.responses = responses;
        this.quotaManager = quotaManager;
        this.quotaRootResolver = quotaRootResolver;
        this.mailboxManager = mailboxManager;
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
        if (message instanceof GetQuotaRootRequest && session.getMailboxSession() != null) {
            GetQuotaRootRequest request = (GetQuotaRootRequest) message;
            // deferred: a name the path converter refuses becomes an error here, answered by James below
            return Mono.defer(() -> Mono.from(mailboxManager.mailboxExists(
                    PathConverter.forSession(session).buildFullPath(request.getMailboxName()), session.getMailboxSession())))
                .onErrorReturn(true) // James' answer then
                .flatMap(exists -> {
                    if (exists) {
                        return quotaWithTheDiskAsLimit(message, responder, session);
                    }
                    responder.respond(NONEXISTENT == null
                        ? responses.taggedNo(request.getTag(), request.getCommand(), NO_SUCH_MAILBOX)
                        : responses.taggedNo(request.getTag(), request.getCommand(), NO_SUCH_MAILBOX, NONEXISTENT));
                    return Mono.empty();
                });
        }
        if (message instanceof GetQuotaRequest) {
            return quotaWithTheDiskAsLimit(message, responder, session);
        }
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

    /**
     * James' answer, held until its tagged OK; if it named a quota root but no {@code STORAGE}
     * resource (no limit set), one is added before the OK with the disk as the limit.
     */
    private Mono<Void> quotaWithTheDiskAsLimit(ImapMessage message, Responder responder, ImapSession session) {
        List<ImapResponseMessage> held = new ArrayList<>();
        Responder holding = new Responder() {
            @Override
            public void respond(ImapResponseMessage response) {
                held.add(response);
            }

            @Override
            public void flush() {
                // held: sent together below
            }
        };
        return delegate.processReactive(message, holding, session)
            .then(Mono.defer(() -> storageOnDisk(message, held)))
            .doOnNext(storage -> held.add(held.size() - 1, storage)) // before the tagged OK, which storageOnDisk found last
            .then(Mono.fromRunnable(() -> {
                held.forEach(responder::respond);
                responder.flush();
            }));
    }

    private Mono<QuotaResponse> storageOnDisk(ImapMessage message, List<ImapResponseMessage> held) {
        boolean answered = !held.isEmpty() && isTaggedOk(held.get(held.size() - 1));
        boolean hasStorage = held.stream().anyMatch(response -> response instanceof QuotaResponse
            && ImapConstants.STORAGE_QUOTA_RESOURCE.equalsIgnoreCase(((QuotaResponse) response).getResourceName()));
        long free = space.freeBytes();
        if (!answered || hasStorage || free == Long.MAX_VALUE) { // (free space not read yet: nothing to tell)
            return Mono.empty();
        }
        Optional<String> root = message instanceof GetQuotaRequest
            ? Optional.of(((GetQuotaRequest) message).getQuotaRoot())
            : held.stream().filter(QuotaRootResponse.class::isInstance).map(response -> ((QuotaRootResponse) response).getQuotaRoot()).findFirst();
        if (root.isEmpty()) {
            return Mono.empty();
        }
        try {
            return Mono.from(quotaManager.getQuotasReactive(quotaRootResolver.fromString(root.get())))
                .map(quotas -> {
                    QuotaSizeUsage used = quotas.getStorageQuota().getUsed();
                    long left = Math.max(0, free - space.minimumBytes());
                    Quota<QuotaSizeLimit, QuotaSizeUsage> disk = Quota.<QuotaSizeLimit, QuotaSizeUsage>builder()
                        .used(used)
                        .computedLimit(QuotaSizeLimit.size(used.asLong() + left))
                        .build();
                    return new QuotaResponse(ImapConstants.STORAGE_QUOTA_RESOURCE, root.get(), disk);
                })
                .onErrorResume(e -> {
                    LOGGER.debug("No disk-sized STORAGE quota for {}: {}", root.get(), e.toString());
                    return Mono.empty();
                });
        } catch (MailboxException e) {
            LOGGER.debug("No disk-sized STORAGE quota for {}: {}", root.get(), e.toString());
            return Mono.empty();
        }
    }

    private static boolean isTaggedOk(ImapResponseMessage response) {
        return response instanceof StatusResponse
            && ((StatusResponse) response).getTag() != null
            && ((StatusResponse) response).getServerResponseType() == StatusResponse.Type.OK;
    }

    @Override
    public void configure(ImapConfiguration imapConfiguration) {
        delegate.configure(imapConfiguration);
    }
}
