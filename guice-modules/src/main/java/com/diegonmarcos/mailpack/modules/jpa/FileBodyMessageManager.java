package com.diegonmarcos.mailpack.modules.jpa;

import java.time.Clock;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.jpa.openjpa.OpenJPAMessageFactory;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MessageAttachmentMetadata;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.mailbox.store.BatchSizes;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.MessageFactory;
import org.apache.james.mailbox.store.MessageStorer;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreMessageManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

import org.reactivestreams.Publisher;

import com.github.fge.lambdas.Throwing;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * James' OpenJPA message manager, except that a message over {@link BodyFiles#THRESHOLD} reaches the
 * mapper as a stream ({@link FileBodyMessageMapper} writes its body to a file) instead of as James'
 * entity, whose constructor reads the whole message into two {@code byte[]} before anything is stored.
 *
 * <p>James' class builds its message factory inside its constructor, so it cannot be given another one;
 * this class is James' (user flags, the mailbox status read in sequence on the one entity manager) with
 * {@link FileBodyMessageFactory} in its place.
 */
final class FileBodyMessageManager extends StoreMessageManager {
    private final MailboxSessionMapperFactory mapperFactory;
    private final StoreRightManager storeRightManager;
    private final Mailbox mailbox;

    FileBodyMessageManager(MailboxSessionMapperFactory mapperFactory, MessageSearchIndex index, EventBus eventBus,
                           MailboxPathLocker locker, Mailbox mailbox, QuotaManager quotaManager,
                           QuotaRootResolver quotaRootResolver, MessageId.Factory messageIdFactory, BatchSizes batchSizes,
                           StoreRightManager storeRightManager, ThreadIdGuessingAlgorithm threadIdGuessingAlgorithm, Clock clock) {
        super(StoreMailboxManager.DEFAULT_NO_MESSAGE_CAPABILITIES, mapperFactory, index, eventBus, locker, mailbox,
            quotaManager, quotaRootResolver, batchSizes, storeRightManager, PreDeletionHooks.NO_PRE_DELETION_HOOK,
            new MessageStorer.WithoutAttachment(mapperFactory, messageIdFactory, new FileBodyMessageFactory(), threadIdGuessingAlgorithm, clock));
        this.mapperFactory = mapperFactory;
        this.storeRightManager = storeRightManager;
        this.mailbox = mailbox;
    }

    /** Sections of messages whose top-level body is message/rfc822 as RFC 3501 §6.4.5 numbers them. */
    @Override
    public Publisher<MessageResult> getMessagesReactive(MessageRange set, FetchGroup fetchGroup, MailboxSession session) {
        Publisher<MessageResult> james = super.getMessagesReactive(set, fetchGroup, session);
        return fetchGroup.getPartContentDescriptors() == null || fetchGroup.getPartContentDescriptors().isEmpty() ? james : Flux.from(james).map(EncapsulatedMessageSections::of);
    }

    /** User flags are stored. */
    @Override
    public Flags getPermanentFlags(MailboxSession session) {
        Flags flags = super.getPermanentFlags(session);
        flags.add(Flags.Flag.USER);
        return flags;
    }

    /**
     * The parts of the status one after the other (the mapper's entity manager is not thread safe), the
     * clearing of {@code \Recent} (a SELECT's) last: its row locks are then held only until the commit
     * right after it. Cleared before the counts, two SELECTs of one mailbox each held the rows they had
     * cleared while counting over the other's, and Derby broke the cycle by failing one of them.
     */
    @Override
    public Mono<MailboxMetaData> getMetaDataReactive(
            MailboxMetaData.RecentMode recentMode, MailboxSession session,
            EnumSet<MailboxMetaData.Item> items) throws MailboxException {
        MailboxACL resolvedAcl = getResolvedAcl(session);
        if (!storeRightManager.hasRight(mailbox, MailboxACL.Right.Read, session)) {
            return Mono.just(MailboxMetaData.sensibleInformationFree(resolvedAcl,
                getMailboxEntity().getUidValidity(), isWriteable(session)));
        }
        Flags permanentFlags = getPermanentFlags(session);
        UidValidity uidValidity = getMailboxEntity().getUidValidity();
        MessageMapper messageMapper = mapperFactory.getMessageMapper(session);
        return messageMapper.executeReactive(
            nextUid(messageMapper, items)
                .flatMap(nextUid -> highestModSeq(messageMapper, items)
                    .flatMap(highestModSeq -> firstUnseen(messageMapper, items)
                        .flatMap(firstUnseen -> mailboxCounters(messageMapper, items)
                            .flatMap(Throwing.function(counters -> recent(recentMode, session)
                                .map(recents -> new MailboxMetaData(recents, permanentFlags,
                                    uidValidity, nextUid, highestModSeq, counters.getCount(), counters.getUnseen(),
                                    firstUnseen.orElse(null), isWriteable(session), resolvedAcl))))))));
    }

    /** Big messages as a stream over their content, the others as James' entity. */
    static final class FileBodyMessageFactory implements MessageFactory<MailboxMessage> {
        private final OpenJPAMessageFactory inDatabase = new OpenJPAMessageFactory(OpenJPAMessageFactory.AdvancedFeature.None);
        private final MessageFactory.StoreMessageFactory streamed = new MessageFactory.StoreMessageFactory();

        @Override
        public MailboxMessage createMessage(MessageId messageId, ThreadId threadId, Mailbox mailbox, Date internalDate, Date saveDate,
                                            int size, int bodyStartOctet, Content content, Flags flags, PropertyBuilder propertyBuilder,
                                            List<MessageAttachmentMetadata> attachments) throws MailboxException {
            MessageFactory<? extends MailboxMessage> factory = size > BodyFiles.THRESHOLD ? streamed : inDatabase;
            return factory.createMessage(messageId, threadId, mailbox, internalDate, saveDate, size, bodyStartOctet, content, flags,
                propertyBuilder, attachments);
        }
    }
}
