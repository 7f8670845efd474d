package com.diegonmarcos.mailpack.modules.imap;

import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.ImapConstants;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.Capability;
import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.message.IdRange;
import org.apache.james.imap.api.message.UidRange;
import org.apache.james.imap.api.message.request.SearchKey;
import org.apache.james.imap.api.message.request.SearchOperation;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.AbstractMailboxSelectionRequest;
import org.apache.james.imap.message.request.CapabilityRequest;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.message.request.ListRequest;
import org.apache.james.imap.message.request.SearchRequest;
import org.apache.james.imap.message.request.StoreRequest;
import org.apache.james.imap.message.response.CapabilityResponse;
import org.apache.james.imap.message.response.ListResponse;
import org.apache.james.imap.processor.EnableProcessor;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.mailbox.MailboxSession;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * James' IMAP processor, with what RFC 7162 (CONDSTORE, QRESYNC) and RFC 5258 (LIST-EXTENDED) ask and
 * James 3.8.1 does not do:
 * <ul>
 *   <li>CONDSTORE is announced when the listener's {@code <condstore>true</condstore>} says so
 *       (James 3.8.1's IMAPServer never reads it, yet announces QRESYNC);</li>
 *   <li>SELECT/EXAMINE answer the mailbox's HIGHESTMODSEQ as it is when they complete (James reports it
 *       from before the SELECT itself changes the messages' \Recent state, so that every message is then
 *       "changed since" it); a QRESYNC SELECT also sends the flags of the messages changed since the
 *       client's mod-sequence (§3.2.5.1), where James sends only VANISHED;</li>
 *   <li>{@code SEARCH MODSEQ n} finds the messages whose mod-sequence is n or more (James' Lucene index
 *       never stores mod-sequences: it found nothing);</li>
 *   <li>a conditional STORE answers {@code [MODIFIED set]} (James writes {@code [MODIFIED 0 set]});</li>
 *   <li>a LIST with several patterns ({@link ListPatternsRequest}) lists each mailbox once;</li>
 *   <li>CAPABILITY announces {@link #RIGHTS} with ACL.</li>
 * </ul>
 */
final class ConformingImapProcessor implements ImapProcessor {
    static final String CONDSTORE = "condstore";
    /** James' SearchProcessor adds {@code (MODSEQ n)} to the SEARCH response when this session attribute is set. */
    private static final String SEARCH_MODSEQ = "SEARCH_MODSEQ";
    private static final String MODIFIED = "MODIFIED";
    /**
     * RFC 4314 §2.1.1: the rights beyond RFC 2086's that this server implements, as the RFC writes them
     * (James' ACL knows t, e, x and k, and announces ACL without RIGHTS=). Rights are case-sensitive
     * letters, and {@link Capability#of} upper-cases: the capability is made as written.
     */
    static final Capability RIGHTS = exactly("RIGHTS=texk");
    private static final Constructor<StatusResponse.ResponseCode> RESPONSE_CODE = responseCodeConstructor();

    private final ImapProcessor james;
    private final StatusResponseFactory responses;
    private volatile boolean condstore;

    ConformingImapProcessor(ImapProcessor james, StatusResponseFactory responses) {
        this.james = james;
        this.responses = responses;
    }

    /**
     * Reads {@code <condstore>} of one {@code <imapserver>} (default false) for its processor, before James'
     * IMAPServer configures it. James' CapabilityProcessor is shared: set it alike on every listener.
     */
    static void readCondstore(ImapProcessor processor, HierarchicalConfiguration<ImmutableNode> configuration) {
        if (processor instanceof ConformingImapProcessor) {
            ((ConformingImapProcessor) processor).condstore = configuration.getBoolean(CONDSTORE, false);
        }
    }

    @Override
    public void configure(ImapConfiguration configuration) {
        ImapConfiguration.Builder builder = ImapConfiguration.builder()
            .enableIdle(configuration.isEnableIdle())
            .idleTimeInterval(configuration.getIdleTimeInterval())
            .idleTimeIntervalUnit(configuration.getIdleTimeIntervalUnit())
            .disabledCaps(configuration.getDisabledCaps().stream().map(Capability::asString)
                .collect(com.google.common.collect.ImmutableSet.toImmutableSet()))
            .maxQueueSize(configuration.getMaxQueueSize())
            .concurrentRequests(configuration.getConcurrentRequests())
            .isProvisionDefaultMailboxes(configuration.isProvisionDefaultMailboxes())
            .withCustomProperties(configuration.getCustomProperties())
            .isCondstoreEnable(condstore || configuration.isCondstoreEnable());
        configuration.getAppendLimit().ifPresent(builder::appendLimit);
        james.configure(builder.build());
    }

    @Override
    public Mono<Void> processReactive(ImapMessage message, Responder responder, ImapSession session) {
        if (message instanceof ListPatternsRequest) {
            return listPatterns((ListPatternsRequest) message, responder, session);
        }
        if (message instanceof AbstractMailboxSelectionRequest) {
            return select((AbstractMailboxSelectionRequest) message, responder, session);
        }
        if (message instanceof SearchRequest && containsModSeq(((SearchRequest) message).getSearchOperation().getSearchKey())) {
            return searchModSeq((SearchRequest) message, responder, session);
        }
        if (message instanceof StoreRequest) {
            return james.processReactive(message, new Rewriting(responder, this::modified), session);
        }
        if (message instanceof CapabilityRequest) {
            return james.processReactive(message, new Rewriting(responder, ConformingImapProcessor::withRights), session);
        }
        return james.processReactive(message, responder, session);
    }

    // ---- CAPABILITY (RFC 4314 §2.1.1) ----

    private static Optional<ImapResponseMessage> withRights(ImapResponseMessage response) {
        if (!(response instanceof CapabilityResponse)) {
            return Optional.of(response);
        }
        Set<Capability> capabilities = new LinkedHashSet<>(((CapabilityResponse) response).getCapabilities());
        if (capabilities.contains(ImapConstants.SUPPORTS_ACL)) {
            capabilities.add(RIGHTS);
        }
        return Optional.of(new CapabilityResponse(capabilities));
    }

    // ---- LIST with several patterns (RFC 5258 §3) ----

    private Mono<Void> listPatterns(ListPatternsRequest request, Responder responder, ImapSession session) {
        Set<String> listed = new HashSet<>();
        List<StatusResponse> completions = new ArrayList<>();
        Responder merging = new Rewriting(responder, response -> {
            if (response instanceof StatusResponse && ((StatusResponse) response).getTag() != null) {
                completions.add((StatusResponse) response);
                return Optional.empty();
            }
            if (response instanceof ListResponse && !listed.add(((ListResponse) response).getName())) {
                return Optional.empty();
            }
            return Optional.of(response);
        });
        return Flux.fromIterable(request.requests())
            .concatMap(one -> james.processReactive(one, merging, session))
            .then(Mono.fromRunnable(() -> {
                responder.respond(completions.stream()
                    .filter(completion -> completion.getServerResponseType() != StatusResponse.Type.OK)
                    .findFirst()
                    .orElse(completions.get(completions.size() - 1)));
                responder.flush();
            }));
    }

    // ---- SELECT / EXAMINE (RFC 7162 §3.1.2.1, §3.2.5) ----

    private Mono<Void> select(AbstractMailboxSelectionRequest request, Responder responder, ImapSession session) {
        List<ImapResponseMessage> held = new ArrayList<>();
        return james.processReactive(request, collecting(held), session)
            .then(Mono.defer(() -> completeSelect(request, held, responder, session)));
    }

    private Mono<Void> completeSelect(AbstractMailboxSelectionRequest request, List<ImapResponseMessage> held, Responder responder,
                                      ImapSession session) {
        StatusResponse completion = completion(held);
        SelectedMailbox selected = session.getSelected();
        if (completion == null || completion.getServerResponseType() != StatusResponse.Type.OK || selected == null) {
            return Mono.fromRunnable(() -> send(held, responder));
        }
        MessageManager mailbox = selected.getMessageManager();
        MailboxSession mailboxSession = session.getMailboxSession();
        Mono<Void> highest = Mono.fromCallable(() -> mailbox.getMetaData(MessageManager.MailboxMetaData.RecentMode.IGNORE, mailboxSession,
                EnumSet.of(MessageManager.MailboxMetaData.Item.HighestModSeq)).getHighestModSeq())
            .doOnNext(modSeq -> held.replaceAll(response -> isHighestModSeq(response)
                ? responses.untaggedOk(((StatusResponse) response).getTextKey(), StatusResponse.ResponseCode.highestModSeq(modSeq))
                : response))
            .then();
        Mono<Void> changes = Mono.empty();
        if (qresync(request, session) && completion.getTextKey() != HumanReadableText.QRESYNC_UIDVALIDITY_MISMATCH) {
            changes = changedSince(request, held, completion, session);
        }
        return highest.then(changes).then(Mono.fromRunnable(() -> send(held, responder)));
    }

    private static boolean qresync(AbstractMailboxSelectionRequest request, ImapSession session) {
        return !request.getLastKnownUidValidity().isUnknown() && request.getKnownModSeq() != null
            && EnableProcessor.getEnabledCapabilities(session).contains(ImapConstants.SUPPORTS_QRESYNC);
    }

    /** §3.2.5.1: "FETCH responses that MUST contain UIDs" for the messages changed since the known mod-sequence, before the tagged OK. */
    private Mono<Void> changedSince(AbstractMailboxSelectionRequest request, List<ImapResponseMessage> held, StatusResponse completion,
                                    ImapSession session) {
        IdRange[] uids = Optional.ofNullable(request.getUidSet())
            .map(set -> Arrays.stream(set).map(range -> new IdRange(range.getLowVal().asLong(), range.getHighVal().asLong()))
                .toArray(IdRange[]::new))
            .orElse(new IdRange[] {new IdRange(1, Long.MAX_VALUE)});
        FetchData flags = FetchData.builder().fetch(FetchData.Item.FLAGS, FetchData.Item.UID, FetchData.Item.MODSEQ)
            .changedSince(request.getKnownModSeq()).build();
        List<ImapResponseMessage> fetched = new ArrayList<>();
        return james.processReactive(new FetchRequest(true, uids, flags, request.getTag()), collecting(fetched), session)
            .then(Mono.fromRunnable(() -> {
                fetched.removeIf(response -> response instanceof StatusResponse && ((StatusResponse) response).getTag() != null);
                held.addAll(held.indexOf(completion), fetched);
            }));
    }

    private static StatusResponse completion(List<ImapResponseMessage> held) {
        for (int i = held.size() - 1; i >= 0; i--) {
            if (held.get(i) instanceof StatusResponse && ((StatusResponse) held.get(i)).getTag() != null) {
                return (StatusResponse) held.get(i);
            }
        }
        return null;
    }

    private static boolean isHighestModSeq(ImapResponseMessage response) {
        return response instanceof StatusResponse && ((StatusResponse) response).getTag() == null
            && ((StatusResponse) response).getResponseCode() != null
            && "HIGHESTMODSEQ".equals(((StatusResponse) response).getResponseCode().getCode());
    }

    private static void send(List<ImapResponseMessage> held, Responder responder) {
        held.forEach(responder::respond);
        responder.flush();
    }

    // ---- SEARCH MODSEQ (RFC 7162 §3.1.5) ----

    private static boolean containsModSeq(SearchKey key) {
        return key.getType() == SearchKey.Type.TYPE_MODSEQ
            || (key.getKeys() != null && key.getKeys().stream().anyMatch(ConformingImapProcessor::containsModSeq));
    }

    private Mono<Void> searchModSeq(SearchRequest request, Responder responder, ImapSession session) {
        SelectedMailbox selected = session.getSelected();
        if (selected == null) {
            return james.processReactive(request, responder, session);
        }
        return Flux.from(selected.getMessageManager().getMessagesReactive(MessageRange.all(), FetchGroup.MINIMAL, session.getMailboxSession()))
            .collectList()
            .flatMap(messages -> {
                SearchOperation operation = request.getSearchOperation();
                SearchKey key = withoutModSeq(operation.getSearchKey(), messages);
                session.setAttribute(SEARCH_MODSEQ, true);
                return james.processReactive(new SearchRequest(new SearchOperation(key, operation.getResultOptions()), request.isUseUids(),
                    request.getTag()), responder, session);
            });
    }

    /** The same key with each {@code MODSEQ n} replaced by the UIDs of the messages whose mod-sequence is n or more. */
    private static SearchKey withoutModSeq(SearchKey key, List<MessageResult> messages) {
        switch (key.getType()) {
            case TYPE_MODSEQ:
                List<MessageUid> uids = messages.stream().filter(message -> message.getModSeq().asLong() >= key.getModSeq())
                    .map(MessageResult::getUid).sorted().collect(Collectors.toList());
                if (uids.isEmpty()) {
                    return SearchKey.buildNot(SearchKey.buildAll());
                }
                return SearchKey.buildUidSet(MessageRange.toRanges(uids).stream()
                    .map(range -> new UidRange(range.getUidFrom(), range.getUidTo())).toArray(UidRange[]::new));
            case TYPE_AND:
                return SearchKey.buildAnd(convert(key.getKeys(), messages));
            case TYPE_OR:
                List<SearchKey> either = convert(key.getKeys(), messages);
                return SearchKey.buildOr(either.get(0), either.get(1));
            case TYPE_NOT:
                return SearchKey.buildNot(withoutModSeq(key.getKeys().get(0), messages));
            default:
                return key;
        }
    }

    private static List<SearchKey> convert(Collection<SearchKey> keys, List<MessageResult> messages) {
        return keys.stream().map(key -> withoutModSeq(key, messages)).collect(Collectors.toList());
    }

    // ---- STORE (UNCHANGEDSINCE) (RFC 7162 §3.1.3) ----

    /** {@code [MODIFIED 0 set]} becomes {@code [MODIFIED set]}. */
    private Optional<ImapResponseMessage> modified(ImapResponseMessage response) {
        if (!(response instanceof StatusResponse)) {
            return Optional.of(response);
        }
        StatusResponse status = (StatusResponse) response;
        StatusResponse.ResponseCode code = status.getResponseCode();
        if (code == null || !MODIFIED.equals(code.getCode()) || code.getNumber() < 0 || RESPONSE_CODE == null) {
            return Optional.of(response);
        }
        try {
            StatusResponse.ResponseCode fixed = RESPONSE_CODE.newInstance(MODIFIED, code.getParameters(), StatusResponse.ResponseCode.NO_NUMBER, false);
            return Optional.of(status.getServerResponseType() == StatusResponse.Type.OK
                ? responses.taggedOk(status.getTag(), status.getCommand(), status.getTextKey(), fixed)
                : responses.taggedNo(status.getTag(), status.getCommand(), status.getTextKey(), fixed));
        } catch (ReflectiveOperationException e) {
            return Optional.of(response);
        }
    }

    private static Capability exactly(String capability) {
        try {
            Constructor<Capability> constructor = Capability.class.getDeclaredConstructor(String.class);
            constructor.setAccessible(true);
            return constructor.newInstance(capability);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("James' Capability cannot be made as written: " + capability, e);
        }
    }

    /** James offers no public way to make a response code with parameters and no number. */
    private static Constructor<StatusResponse.ResponseCode> responseCodeConstructor() {
        try {
            Constructor<StatusResponse.ResponseCode> constructor =
                StatusResponse.ResponseCode.class.getDeclaredConstructor(String.class, Collection.class, long.class, boolean.class);
            constructor.setAccessible(true);
            return constructor;
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }

    /** A responder that keeps the responses in {@code into}, to be sent (or not) later. */
    private static Responder collecting(List<ImapResponseMessage> into) {
        return new Responder() {
            @Override
            public void respond(ImapResponseMessage message) {
                into.add(message);
            }

            @Override
            public void flush() {
                // sent later, all at once
            }
        };
    }

    /** A responder passing each response through {@code rewrite} (empty: dropped). */
    private static final class Rewriting implements Responder {
        private final Responder responder;
        private final java.util.function.Function<ImapResponseMessage, Optional<ImapResponseMessage>> rewrite;

        Rewriting(Responder responder, java.util.function.Function<ImapResponseMessage, Optional<ImapResponseMessage>> rewrite) {
            this.responder = responder;
            this.rewrite = rewrite;
        }

        @Override
        public void respond(ImapResponseMessage message) {
            rewrite.apply(message).ifPresent(responder::respond);
        }

        @Override
        public void flush() {
            responder.flush();
        }
    }
}
