package com.diegonmarcos.mailpack.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.james.core.MailAddress;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.queue.api.MailQueue.MailQueueException;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.codahale.metrics.MetricRegistry;
import com.diegonmarcos.mailpack.modules.spool.StartGate;

import reactor.core.publisher.Mono;

/** The mail queue on a real embedded broker (KahaDB in a temporary directory), as the server runs it. */
class PooledProducerMailQueueTest {
    private static final int SENDERS = 20;
    private static final int MAILS_PER_SENDER = 10;

    @TempDir
    Path home;

    private QueueBroker broker;
    private PooledProducerMailQueue queue;
    private final StartGate gate = new StartGate();

    @BeforeEach
    void setUp() throws Exception {
        FileSystem fileSystem = new FileSystem() {
            @Override
            public InputStream getResource(String url) throws IOException {
                return Files.newInputStream(getFile(url).toPath());
            }

            @Override
            public File getFile(String url) {
                if (url.startsWith("file://")) {
                    return home.resolve(url.substring("file://".length())).toFile(); // relative to the working directory
                }
                return new File(url.replaceFirst("^file:", "")); // the absolute URL of an uploaded blob
            }

            @Override
            public File getBasedir() {
                return home.toFile();
            }
        };
        broker = new QueueBroker(fileSystem, new KahaDBPersistenceAdapter());
        queue = new PooledProducerMailQueue(broker.connectionFactory(), new RawMailQueueItemDecoratorFactory(),
            MailQueueName.of("spool"), new DropWizardMetricFactory(new MetricRegistry()), new NoopGaugeRegistry(), gate);
    }

    @AfterEach
    void tearDown() throws Exception {
        queue.dispose();
        broker.stop();
    }

    private static Mail mail(String name, String body) throws MessagingException {
        MimeMessage message = new MimeMessage(javax.mail.Session.getDefaultInstance(new java.util.Properties()), raw(name, body));
        return MailImpl.builder()
            .name(name)
            .sender(new MailAddress("a@example.org"))
            .addRecipient(new MailAddress("diego@diegonmarcos.com"))
            .addAttribute(new Attribute(org.apache.mailet.AttributeName.of("mailpack.test"), AttributeValue.of(name)))
            .mimeMessage(message)
            .build();
    }

    /**
     * A mail as James' SMTP server hands it to the queue: its content in a stream source (in memory
     * up to 100 KiB, then in a temporary file), with a header added by a hook (mailpack's
     * Authentication-Results), so that the queue reads the new headers and the source's body.
     */
    private static Mail receivedOverSmtp(String name, String body) throws MessagingException {
        MailImpl mail = MailImpl.builder()
            .name(name)
            .sender(new MailAddress("a@example.org"))
            .addRecipient(new MailAddress("diego@diegonmarcos.com"))
            .build();
        mail.setMessageContent(MimeMessageInputStreamSource.create(name, raw(name, body)));
        mail.getMessage().addHeader("Authentication-Results", "mx.diegonmarcos.com; spf=none");
        return mail;
    }

    private static InputStream raw(String name, String body) {
        return new java.io.ByteArrayInputStream(("From: a@example.org\r\nSubject: " + name + "\r\n\r\n" + body + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    }

    private static String content(Mail mail) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void mailsEnqueuedBySessionsAtTheSameTimeAreAllQueuedIntact() throws Exception {
        gate.notifyStarted(); // as in a started server
        Map<String, String> sent = new HashMap<>();
        List<Callable<Void>> senders = new ArrayList<>();
        for (int sender = 0; sender < SENDERS; sender++) {
            List<Mail> mails = new ArrayList<>();
            for (int i = 0; i < MAILS_PER_SENDER; i++) {
                String name = "mail-" + sender + "-" + i;
                Mail mail = mail(name, ("line of mail " + name + "\r\n").repeat(50));
                sent.put(name, content(mail));
                mails.add(mail);
            }
            senders.add(() -> {
                for (Mail mail : mails) {
                    queue.enQueue(mail);
                }
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        try {
            for (Future<Void> done : pool.invokeAll(senders)) {
                done.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(queue.idleProducers()).isBetween(1, PooledProducerMailQueue.MAX_PRODUCERS);

        Map<String, String> received = new HashMap<>();
        for (MailQueueItem item : queue.deQueue().take(sent.size()).collectList().block(Duration.ofMinutes(2))) {
            Mail mail = item.getMail();
            assertThat(mail.getAttribute(org.apache.mailet.AttributeName.of("mailpack.test")))
                .map(attribute -> (Object) attribute.getValue().getValue()).contains(mail.getName());
            assertThat(mail.getRecipients()).containsExactly(new MailAddress("diego@diegonmarcos.com"));
            received.put(mail.getName(), content(mail));
            item.done(MailQueueItem.CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(mail);
        }
        assertThat(received).isEqualTo(sent);
        assertThat(queue.getSize()).isZero();
    }

    @Test
    void aMailThatCannotBeReadIsRefusedAndTheQueueGoesOn() throws Exception {
        gate.notifyStarted(); // as in a started server
        queue.enQueue(mail("before", "first"));
        int producers = queue.idleProducers();
        MimeMessage gone = new MimeMessage(javax.mail.Session.getDefaultInstance(new java.util.Properties())) {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                throw new IOException("disk gone");
            }
        };
        Mail unreadable = FakeMail.builder()
            .name("unreadable")
            .sender("a@example.org")
            .recipient("diego@diegonmarcos.com")
            .mimeMessage(gone)
            .build();

        assertThatThrownBy(() -> queue.enQueue(unreadable)).isInstanceOf(MailQueueException.class)
            .hasMessageContaining("unreadable");
        queue.enQueue(mail("after", "second"));

        assertThat(queue.idleProducers()).isEqualTo(producers);
        List<String> names = new ArrayList<>();
        for (MailQueueItem item : queue.deQueue().take(2).collectList().block(Duration.ofMinutes(1))) {
            names.add(item.getMail().getName());
            item.done(MailQueueItem.CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(item.getMail());
        }
        assertThat(names).containsExactlyInAnyOrder("before", "after");
    }

    /** A mail queued before a crash is not handed to the spooler while the server is still starting. */
    @Test
    void nothingIsHandedOutBeforeTheServerHasStarted() throws Exception {
        queue.enQueue(mail("left-by-a-crash", "body"));

        assertThat(queue.deQueue().next().timeout(Duration.ofSeconds(3), Mono.empty()).blockOptional()).isEmpty();
        assertThat(queue.getSize()).isEqualTo(1);

        gate.notifyStarted();
        MailQueueItem item = queue.deQueue().next().block(Duration.ofMinutes(1));
        assertThat(item.getMail().getName()).isEqualTo("left-by-a-crash");
        item.done(MailQueueItem.CompletionStatus.SUCCESS);
        LifecycleUtil.dispose(item.getMail());
    }

    /**
     * The spooler's first request, once the gate opens, starts James' loop of blocking receives on
     * an empty queue: it must run on the queue's own thread, never on one of Reactor's shared
     * boundedElastic threads (work Reactor later queued behind it on that thread never ran).
     */
    @Test
    void theReceiveLoopOnAnEmptyQueueRunsOnTheQueuesOwnThread() throws Exception {
        reactor.core.Disposable spooler = queue.deQueue()
            .subscribeOn(reactor.core.scheduler.Schedulers.single()) // as James' spooler subscribes: on a thread of its own
            .subscribe(); // the queue stays empty: nothing is handed out
        try {
            gate.notifyStarted();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> threadsReceiving().stream().anyMatch(name -> name.startsWith("mail-queue-spool")));
            assertThat(threadsReceiving()).noneMatch(name -> name.startsWith("boundedElastic"));
        } finally {
            spooler.dispose();
        }
    }

    /** The names of the threads blocked in James' dequeue of one mail (a JMS receive). */
    private static List<String> threadsReceiving() {
        List<String> names = new ArrayList<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            for (StackTraceElement frame : stack) {
                if (frame.getMethodName().equals("deQueueOneItem")) {
                    names.add(thread.getName());
                    break;
                }
            }
        });
        return names;
    }

    @Test
    void queuedMailDoesNotKeepItsContentInTheHeapUntilItIsDelivered() throws Exception {
        gate.notifyStarted(); // as in a started server
        int mails = 128;
        int bodyBytes = 64 * 1024; // under 100 KiB: James keeps such a mail in memory, not in a file
        long before = usedHeapAfterGc();

        for (int i = 0; i < mails; i++) {
            Mail mail = receivedOverSmtp("held-" + i, ("x".repeat(1000) + "\r\n").repeat(bodyBytes / 1002));
            queue.enQueue(mail);
            LifecycleUtil.dispose(mail); // what James' SMTP server does once a mail is queued
        }

        // The content is in the blob files. Kept in the heap too (the broker's copy of each JMS
        // message held its uploader, and the uploader the stream it read), a burst of queued mail
        // would take 8 MiB here: a quarter of that is allowed for the messages' other state.
        long queuedContent = (long) mails * bodyBytes;
        assertThat(usedHeapAfterGc() - before).isLessThan(queuedContent / 4);
        assertThat(queue.getSize()).isEqualTo(mails);
        List<MailQueueItem> items = queue.deQueue().take(mails).collectList().block(Duration.ofMinutes(1));
        for (MailQueueItem item : items) {
            assertThat(content(item.getMail())).contains("Subject: held-");
            item.done(MailQueueItem.CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(item.getMail());
        }
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // a full collection may need a second pass for what finalizers released
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    @Test
    void theContentOfAQueuedMailIsOnDiskUnderBlobTransferWhenTheEnqueueReturns() throws Exception {
        gate.notifyStarted(); // as in a started server
        Mail mail = mail("on-disk", "kept until delivered");
        String expected = content(mail);

        queue.enQueue(mail);

        Path blobs = home.resolve("var/store/activemq/blob-transfer");
        List<String> files = new ArrayList<>();
        try (java.util.stream.Stream<Path> walk = Files.walk(blobs)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.add(Files.readString(file, StandardCharsets.US_ASCII));
            }
        }
        assertThat(files).containsExactly(expected);
        for (MailQueueItem item : queue.deQueue().take(1).collectList().block(Duration.ofMinutes(1))) {
            assertThat(content(item.getMail())).isEqualTo(expected);
            item.done(MailQueueItem.CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(item.getMail());
        }
    }
}
