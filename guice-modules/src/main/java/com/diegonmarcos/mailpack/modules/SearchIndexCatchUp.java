package com.diegonmarcos.mailpack.modules;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.lifecycle.api.Startable;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * At start, indexes the messages the store has and the search index lacks. The index is committed
 * every {@link SearchIndexCommitter#INTERVAL}: a {@code kill -9} (or a power cut) lost the messages
 * indexed since the last commit, and nothing indexed them again, so SEARCH never found them.
 *
 * <p>One query gives each mailbox's message count and highest UID; the index answers its count of
 * message documents and whether the highest is among them. Only a mailbox where they differ has its
 * UIDs compared ({@link QueuedLuceneSearchIndex#catchUp}), and only its missing messages are read:
 * a start over a big, consistent store reads no message.
 */
public class SearchIndexCatchUp implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(SearchIndexCatchUp.class);
    private static final String COUNTS = "SELECT MAILBOX_ID, COUNT(*), MAX(MAIL_UID) FROM JAMES_MAIL GROUP BY MAILBOX_ID";
    private static final String UIDS = "SELECT MAIL_UID FROM JAMES_MAIL WHERE MAILBOX_ID = ?1";
    private static final Username INDEXER = Username.of("mailpack-search-index");

    private final EntityManagerFactory entityManagerFactory;
    private final LuceneMessageSearchIndex bound;
    private final MailboxSessionMapperFactory factory;
    private final SessionProvider sessionProvider;

    @Inject
    public SearchIndexCatchUp(EntityManagerFactory entityManagerFactory, LuceneMessageSearchIndex index,
                              MailboxSessionMapperFactory factory, SessionProvider sessionProvider) {
        this.entityManagerFactory = entityManagerFactory;
        this.bound = index; // the bound index (a test may bind a subclass): a second instance would wait for the index lock
        this.factory = factory;
        this.sessionProvider = sessionProvider;
    }

    public void run() {
        if (!(bound instanceof QueuedLuceneSearchIndex index)) {
            return;
        }
        long started = System.nanoTime();
        int mailboxes = 0;
        int indexed = 0;
        for (Object[] row : counts()) {
            long mailboxId = ((Number) row[0]).longValue();
            long count = ((Number) row[1]).longValue();
            long lastUid = ((Number) row[2]).longValue();
            try {
                if (index.looksComplete(JPAId.of(mailboxId), count, lastUid)) {
                    continue;
                }
                mailboxes++;
                indexed += catchUp(index, mailboxId);
            } catch (IOException | MailboxException | RuntimeException e) {
                LOGGER.warn("Cannot check the search index of mailbox {} at start; a re-index (webadmin POST /mailboxes?task=reIndex) repairs it",
                    mailboxId, e);
            }
        }
        if (mailboxes > 0) {
            LOGGER.info("Search index: {} messages of {} mailboxes were missing (indexed since its last commit before a stop without shutdown); indexed in {} ms",
                indexed, mailboxes, (System.nanoTime() - started) / 1_000_000);
        }
    }

    private List<Object[]> counts() {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = entityManager.createNativeQuery(COUNTS).getResultList();
            return rows;
        } finally {
            entityManager.close();
        }
    }

    private int catchUp(QueuedLuceneSearchIndex index, long mailboxId) throws IOException, MailboxException {
        Set<Long> stored = new TreeSet<>();
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            for (Object uid : entityManager.createNativeQuery(UIDS).setParameter(1, mailboxId).getResultList()) {
                stored.add(((Number) uid).longValue());
            }
        } finally {
            entityManager.close();
        }
        MailboxSession session = sessionProvider.createSystemSession(INDEXER);
        try {
            Mailbox mailbox = factory.getMailboxMapper(session).findMailboxById(JPAId.of(mailboxId)).block();
            return index.catchUp(session, mailbox, stored, (box, range) -> read(session, box, range));
        } finally {
            factory.endProcessingRequest(session);
        }
    }

    private List<MailboxMessage> read(MailboxSession session, Mailbox mailbox, MessageRange range) throws MailboxException {
        return ImmutableList.copyOf(factory.getMessageMapper(session).findInMailbox(mailbox, range, FetchType.FULL, -1));
    }
}
