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
 * James' JPA mapper factory, handing out {@link OneTransactionMessageMapper}s that share one
 * {@link RecentAppends}, and {@link CachingJpaMailboxMapper}s that share one {@link MailboxCache}.
 */
public class OneTransactionMapperFactory extends JPAMailboxSessionMapperFactory {
    private final EntityManagerFactory entityManagerFactory;
    private final RecentAppends recentAppends;
    private final MailboxCache mailboxCache;

    @Inject
    public OneTransactionMapperFactory(EntityManagerFactory entityManagerFactory, JPAUidProvider uidProvider,
                                       JPAModSeqProvider modSeqProvider, RecentAppends recentAppends, MailboxCache mailboxCache) {
        super(entityManagerFactory, uidProvider, modSeqProvider);
        this.entityManagerFactory = entityManagerFactory;
        MessageChildRows.withoutCascade(entityManagerFactory);
        this.recentAppends = recentAppends;
        this.mailboxCache = mailboxCache;
    }

    @Override
    public MailboxMapper createMailboxMapper(MailboxSession session) {
        return new CachingJpaMailboxMapper(entityManagerFactory, mailboxCache);
    }

    @Override
    public MessageMapper createMessageMapper(MailboxSession session) {
        return new OneTransactionMessageMapper(entityManagerFactory, recentAppends);
    }
}
