package com.diegonmarcos.mailpack.modules.jpa;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.jpa.JPAMailboxSessionMapperFactory;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.store.mail.MessageMapper;

/** James' JPA mapper factory, handing out {@link OneTransactionMessageMapper}s. */
public class OneTransactionMapperFactory extends JPAMailboxSessionMapperFactory {
    private final EntityManagerFactory entityManagerFactory;
    private final JPAUidProvider uidProvider;
    private final JPAModSeqProvider modSeqProvider;

    @Inject
    public OneTransactionMapperFactory(EntityManagerFactory entityManagerFactory, JPAUidProvider uidProvider,
                                       JPAModSeqProvider modSeqProvider) {
        super(entityManagerFactory, uidProvider, modSeqProvider);
        this.entityManagerFactory = entityManagerFactory;
        this.uidProvider = uidProvider;
        this.modSeqProvider = modSeqProvider;
    }

    @Override
    public MessageMapper createMessageMapper(MailboxSession session) {
        return new OneTransactionMessageMapper(uidProvider, modSeqProvider, entityManagerFactory);
    }
}
