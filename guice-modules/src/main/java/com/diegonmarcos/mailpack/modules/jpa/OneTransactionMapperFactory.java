package com.diegonmarcos.mailpack.modules.jpa;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.jpa.JPAMailboxSessionMapperFactory;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;

/**
 * James' JPA mapper factory, handing out {@link FileBodyMessageMapper}s (a
 * {@link OneTransactionMessageMapper} keeping big bodies in {@link BodyFiles}) that share one
 * {@link RecentAppends}, and {@link CachingJpaMailboxMapper}s that share one {@link MailboxCache}.
 */
public class OneTransactionMapperFactory extends JPAMailboxSessionMapperFactory {
    private final EntityManagerFactory entityManagerFactory;
    private final RecentAppends recentAppends;
    private final MailboxCache mailboxCache;
    private final BodyFiles bodyFiles;

    @Inject
    public OneTransactionMapperFactory(EntityManagerFactory entityManagerFactory, JPAUidProvider uidProvider,
                                       JPAModSeqProvider modSeqProvider, RecentAppends recentAppends, MailboxCache mailboxCache, BodyFiles bodyFiles) {
        super(entityManagerFactory, uidProvider, modSeqProvider);
        this.entityManagerFactory = entityManagerFactory;
        MessageChildRows.withoutCascade(entityManagerFactory);
        DeliveryLedger.prepare(entityManagerFactory);
        this.recentAppends = recentAppends;
        this.mailboxCache = mailboxCache;
        this.bodyFiles = bodyFiles;
    }

    @Override
    public MailboxMapper createMailboxMapper(MailboxSession session) {
        return new CachingJpaMailboxMapper(entityManagerFactory, mailboxCache, bodyFiles);
    }

    @Override
    public MessageMapper createMessageMapper(MailboxSession session) {
        return new FileBodyMessageMapper(entityManagerFactory, recentAppends, bodyFiles);
    }
}
