package com.diegonmarcos.mailpack.modules;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

import javax.jms.ConnectionFactory;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.mail.MessagingException;

import org.apache.activemq.ActiveMQSession;
import org.apache.activemq.BlobMessage;
import org.apache.activemq.command.ActiveMQBlobMessage;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQCacheableMailQueue;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.mailets.SaveWithoutParsing;
import com.diegonmarcos.mailpack.modules.spool.StartGate;
import com.google.common.annotations.VisibleForTesting;

import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * James' ActiveMQ mail queue, with a JMS producer per concurrent enqueue instead of one for the
 * whole queue.
 *
 * <p>James' queue sends every mail through one session. ActiveMQ serialises the sends of a session,
 * and a persistent send returns only once KahaDB has written and synced the message, so every SMTP
 * session that had finished its DATA waited for the disk writes of all the others: in thread dumps
 * taken while 20 sessions delivered 2,000 messages, most SMTP I/O threads were blocked in
 * {@code ActiveMQSession.send} or waiting for its answer. With a producer per concurrent sender
 * (at most {@value #MAX_PRODUCERS}; more senders wait for one), KahaDB writes the messages that
 * arrive together in one journal write.
 *
 * <p>A mail is sent as James' queue sends it (a blob message, its attributes as message
 * properties), so dequeuing, browsing and clearing stay James' code. A producer whose send failed
 * is closed rather than reused.
 */
final class PooledProducerMailQueue extends ActiveMQCacheableMailQueue {
    private static final Logger LOGGER = LoggerFactory.getLogger(PooledProducerMailQueue.class);
    static final int MAX_PRODUCERS = 16;

    private record Producer(ActiveMQSession session, MessageProducer producer) {
        void close() {
            try {
                producer.close();
                session.close();
            } catch (JMSException e) {
                LOGGER.debug("Closing a mail queue producer failed", e);
            }
        }
    }

    private final BlockingQueue<Producer> idle = new LinkedBlockingQueue<>();
    private final Semaphore permits = new Semaphore(MAX_PRODUCERS);
    private volatile boolean disposed;
    private final Flux<MailQueueItem> afterStart;
    private final Scheduler dequeueThread;

    PooledProducerMailQueue(ConnectionFactory connectionFactory, MailQueueItemDecoratorFactory decorators, MailQueueName name,
                            MetricFactory metricFactory, GaugeRegistry gaugeRegistry, StartGate gate) {
        super(connectionFactory, decorators, name, true, metricFactory, gaugeRegistry);
        this.dequeueThread = Schedulers.newSingle("mail-queue-" + name.asString(), true);
        this.afterStart = gate.started().publishOn(dequeueThread).thenMany(super.deQueue());
    }

    /**
     * Nothing is handed out before the server has started ({@link StartGate}). James' dequeue is a
     * loop of blocking JMS receives (10 s each while the queue is empty) on the thread that asks
     * for the next mail. Once the gate opens, the loop runs on a thread of its own: not on the
     * server's main thread, which opens the gate (the start blocked in a receive), and not on one of
     * Reactor's shared {@code boundedElastic} threads, where it stayed for good. With all of those
     * in use (ten per core), Reactor queued other work behind the loop on that thread, and it never
     * ran: a delivery waited forever for its mailbox append (ImapFlagSearchIntegrationTest, 39 of
     * 40 messages delivered; the queue never emptied in FullDiskIntegrationTest).
     */
    @Override
    public Flux<MailQueueItem> deQueue() {
        return afterStart;
    }

    @Override
    protected void produceMail(Map<String, Object> props, int msgPrio, Mail mail) throws JMSException, MessagingException {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted while waiting to enqueue " + mail.getName());
        }
        Producer producer = null;
        boolean reusable = false;
        try {
            producer = idle.poll();
            if (producer == null) {
                producer = open();
            }
            send(producer, props, msgPrio, mail);
            reusable = true;
        } catch (MessagingException e) {
            reusable = true; // the mail could not be read: nothing wrong with the producer
            throw e;
        } finally {
            if (producer != null) {
                if (reusable && !disposed) {
                    idle.offer(producer);
                } else {
                    producer.close();
                }
            }
            permits.release();
        }
    }

    private Producer open() throws JMSException {
        ActiveMQSession session = (ActiveMQSession) connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        try {
            return new Producer(session, session.createProducer(queue));
        } catch (JMSException e) {
            session.close();
            throw e;
        }
    }

    private static void send(Producer producer, Map<String, Object> props, int msgPrio, Mail mail) throws JMSException, MessagingException {
        // settled without parsing the body first: writing an unsaved multipart message read it into the heap
        SaveWithoutParsing.beforeWrite(mail.getMessage());
        BlobMessage message = producer.session().createBlobMessage(new ReleasedOnClose(new MimeMessageInputStream(mail.getMessage())));
        try {
            for (Map.Entry<String, Object> property : props.entrySet()) {
                message.setObjectProperty(property.getKey(), property.getValue());
            }
            producer.producer().send(message, Message.DEFAULT_DELIVERY_MODE, msgPrio, Message.DEFAULT_TIME_TO_LIVE);
        } catch (JMSException e) {
            if (message instanceof ActiveMQBlobMessage blob) {
                try {
                    blob.deleteFile(); // the uploaded content of a mail that was not queued
                } catch (IOException | JMSException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /**
     * The content stream of a queued mail, let go of once read: the blob message keeps its uploader,
     * the uploader this stream, and the broker keeps its copy of the message (with the same uploader)
     * until the mail is delivered. James' stream over a mail whose headers a hook changed is a
     * {@link java.io.SequenceInputStream} that still holds the headers and the body when it is done,
     * so every queued mail under 100 KiB (James keeps those in memory) stayed in the heap until it
     * was delivered: in a heap histogram taken as 20 SMTP sessions finished sending 2,000 messages
     * of 4 KiB, 1,700 queued mails held 71,000 header objects and 9 MiB of byte arrays (a queued 90 KiB
     * mail holds 90 KiB). Released, the peak RSS of that load went from 343-350 to 325-335 MiB.
     */
    private static final class ReleasedOnClose extends FilterInputStream {
        ReleasedOnClose(InputStream content) {
            super(content);
        }

        @Override
        public void close() throws IOException {
            InputStream content = in;
            in = Released.STREAM; // read again (a second upload), it fails instead of writing an empty file
            content.close();
        }
    }

    private static final class Released extends InputStream {
        static final Released STREAM = new Released();

        @Override
        public int read() throws IOException {
            throw new IOException("the content of this mail was already written to the queue and released");
        }
    }

    @VisibleForTesting
    int idleProducers() {
        return idle.size();
    }

    @Override
    public void dispose() {
        disposed = true;
        for (Producer producer = idle.poll(); producer != null; producer = idle.poll()) {
            producer.close();
        }
        super.dispose();
        dequeueThread.dispose();
    }
}
