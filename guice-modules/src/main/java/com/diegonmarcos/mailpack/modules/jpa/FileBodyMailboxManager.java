package com.diegonmarcos.mailpack.modules.jpa;

import java.time.Clock;

import javax.inject.Inject;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.jpa.JPAMailboxSessionMapperFactory;
import org.apache.james.mailbox.jpa.openjpa.OpenJPAMailboxManager;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMessageManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

/** James' OpenJPA mailbox manager, opening mailboxes as {@link FileBodyMessageManager}s (big bodies streamed to files). */
public class FileBodyMailboxManager extends OpenJPAMailboxManager {
    @Inject
    public FileBodyMailboxManager(JPAMailboxSessionMapperFactory mapperFactory, SessionProvider sessionProvider,
                                  MessageParser messageParser, MessageId.Factory messageIdFactory, EventBus eventBus,
                                  StoreMailboxAnnotationManager annotationManager, StoreRightManager storeRightManager,
                                  QuotaComponents quotaComponents, MessageSearchIndex index,
                                  ThreadIdGuessingAlgorithm threadIdGuessingAlgorithm, Clock clock) {
        super(mapperFactory, sessionProvider, messageParser, messageIdFactory, eventBus, annotationManager, storeRightManager,
            quotaComponents, index, threadIdGuessingAlgorithm, clock);
    }

    @Override
    protected StoreMessageManager createMessageManager(Mailbox mailboxRow, MailboxSession session) {
        return new FileBodyMessageManager(getMapperFactory(), getMessageSearchIndex(), getEventBus(), getLocker(), mailboxRow,
            getQuotaComponents().getQuotaManager(), getQuotaComponents().getQuotaRootResolver(), getMessageIdFactory(),
            configuration.getBatchSizes(), getStoreRightManager(), getThreadIdGuessingAlgorithm(), getClock());
    }
}
