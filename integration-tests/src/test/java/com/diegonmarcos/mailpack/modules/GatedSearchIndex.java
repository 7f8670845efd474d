package com.diegonmarcos.mailpack.modules;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.james.events.EventDeadLetters;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.lucene.store.Directory;

import com.diegonmarcos.mailpack.modules.jpa.RecentAppends;

import reactor.core.publisher.Mono;

/**
 * The server's queued search index, whose indexing thread a test can hold: while the gate is closed
 * no message is indexed, until a search starts waiting for the index or the index is being closed,
 * which open it. A test thus sees the index behind the mailbox exactly when the server must hide it.
 */
public class GatedSearchIndex extends QueuedLuceneSearchIndex {
    private static volatile CountDownLatch gate = new CountDownLatch(0);
    private static volatile CountDownLatch waitingSearch = new CountDownLatch(1);
    private static volatile CountDownLatch closing = new CountDownLatch(1);

    @Inject
    public GatedSearchIndex(MailboxSessionMapperFactory factory, MailboxId.Factory mailboxIdFactory, Directory directory,
                            MessageId.Factory messageIdFactory, SessionProvider sessionProvider, EventDeadLetters deadLetters,
                            RecentAppends recentAppends) throws IOException {
        super(factory, mailboxIdFactory, directory, messageIdFactory, sessionProvider, deadLetters, recentAppends);
    }

    /** Holds the indexing thread before its next message, and resets the signals. */
    public static void hold() {
        gate = new CountDownLatch(1);
        waitingSearch = new CountDownLatch(1);
        closing = new CountDownLatch(1);
    }

    public static void open() {
        gate.countDown();
    }

    public static boolean searchWaited() {
        return waitingSearch.getCount() == 0;
    }

    public static boolean indexClosing() {
        return closing.getCount() == 0;
    }

    @Override
    public Mono<Void> add(MailboxSession session, Mailbox mailbox, MailboxMessage message) {
        return Mono.fromRunnable(() -> {
            try {
                if (!gate.await(2, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the test never opened the gate of the search index");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).then(super.add(session, mailbox, message));
    }

    @Override
    void awaitQueued() {
        waitingSearch.countDown();
        super.awaitQueued();
    }

    /** How the test drives the gate while the server stops: it opens once the close has begun. */
    public static void openWhenClosing() {
        Thread opener = new Thread(() -> {
            try {
                closing.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            open();
        }, "gate-opener");
        opener.setDaemon(true);
        opener.start();
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        super.close();
    }
}
