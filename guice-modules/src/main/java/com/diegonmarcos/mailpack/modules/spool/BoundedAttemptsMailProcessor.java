package com.diegonmarcos.mailpack.modules.spool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailetcontainer.api.MailProcessor;
import org.apache.james.mailetcontainer.impl.JamesMailSpooler;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.queue.activemq.ActiveMQSupport;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Throwables;
import com.google.common.collect.ImmutableList;
import com.diegonmarcos.mailpack.mailets.SaveWithoutParsing;

/**
 * The mail processor the spooler calls for every mail it takes from the spool queue: James' own
 * ({@code CompositeProcessorImpl}), with a bound on how often one mail may be tried.
 *
 * <p>Every call is one attempt, counted in {@link ProcessingAttempts} <em>before</em> the mail is
 * processed and forgotten once processing returns, so an attempt during which the JVM died (out of
 * memory with {@code -XX:+ExitOnOutOfMemoryError}, killed) still counts when the queue hands the mail
 * out again after the restart. Any throwable is recorded and handed back to James' spooler as a
 * {@link MessagingException}: James requeues it (without this, an {@link Error} such as a
 * {@link StackOverflowError} in a mailet left the mail unacknowledged in the queue until the next
 * restart). The call after {@code maxAttempts} failed ones does not process the mail: it moves it
 * to the poison repository, logs one ERROR line, and lets the queue forget it.
 *
 * <p>Only the spool is guarded: remote delivery retries run from the outgoing queue and never pass
 * here, and mail a mailet sends on gets a new name. A mail that James' error processor stores
 * (a mailet threw an {@link Exception}) returns normally: one attempt, no poison.
 */
public final class BoundedAttemptsMailProcessor implements MailProcessor {
    private static final Logger LOGGER = LoggerFactory.getLogger(BoundedAttemptsMailProcessor.class);
    /** Attributes of the queue, meaningless once the mail left it (a reprocessed copy is queued afresh). */
    private static final Set<AttributeName> QUEUE_ATTRIBUTES = Set.of(ActiveMQSupport.JAMES_BLOB_URL,
        ActiveMQSupport.JAMES_QUEUE_NAME, JamesMailSpooler.MAIL_PROCESSING_ERROR_COUNT);

    /** Where a mail goes when moving it to the poison repository ended the process, in James' file system notation. */
    static final String LAST_RESORT_DIRECTORY = "file://var/mail/poison-raw/";

    private final MailProcessor delegate;
    private final ProcessingAttempts attempts;
    private final PoisonSettings settings;
    private final MailRepositoryStore repositories;
    private final Path lastResort;

    public BoundedAttemptsMailProcessor(MailProcessor delegate, ProcessingAttempts attempts, PoisonSettings settings,
                                        MailRepositoryStore repositories, Path lastResort) {
        this.delegate = delegate;
        this.lastResort = lastResort;
        this.attempts = attempts;
        this.settings = settings;
        this.repositories = repositories;
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        String name = mail.getName();
        ProcessingAttempts.Record previous = attempts.previous(name);
        if (previous.attempts() > settings.maxAttempts() + 1) {
            drop(mail, previous);
            return;
        }
        if (previous.attempts() == settings.maxAttempts() + 1) {
            writeAside(mail, previous);
            return;
        }
        if (previous.attempts() == settings.maxAttempts()) {
            putAside(mail, previous);
            return;
        }
        int attempt = previous.attempts() + 1;
        attempts.begin(name, attempt, previous.lastError());
        try {
            delegate.service(mail);
        } catch (Throwable t) {
            attempts.failed(name, attempt, describe(t));
            if (t instanceof MessagingException messaging) {
                throw messaging;
            }
            if (t instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new MessagingException("processing " + name + " threw " + t, new ExecutionException(t));
        }
        attempts.clear(name);
    }

    private void putAside(Mail mail, ProcessingAttempts.Record previous) throws MessagingException {
        String name = mail.getName();
        // counted: should the JVM die while copying, the next call drops the mail instead of looping
        attempts.begin(name, settings.maxAttempts() + 1, previous.lastError());
        long size;
        SpooledFileSource content = null;
        MailImpl copy = null;
        try {
            content = SpooledFileSource.copyOf(mail);
            size = content.getMessageSize();
            copy = MailImpl.builder()
                .name(name)
                .sender(mail.getMaybeSender())
                .addRecipients(mail.getRecipients())
                .remoteHost(mail.getRemoteHost())
                .remoteAddr(mail.getRemoteAddr())
                .lastUpdated(mail.getLastUpdated())
                .state(mail.getState())
                .errorMessage("mailpack: processing failed " + previous.attempts() + " times; last error: " + previous.lastErrorOrCrash())
                .addAttributes(mail.attributes().filter(attribute -> !QUEUE_ATTRIBUTES.contains(attribute.getName()))
                    .collect(ImmutableList.toImmutableList()))
                .addAllHeadersForRecipients(mail.getPerRecipientSpecificHeaders())
                .build();
            copy.setMessageContent(content);
            repository().store(copy);
        } catch (MessagingException | IOException | RuntimeException e) {
            attempts.begin(name, settings.maxAttempts(), previous.lastError()); // not a crash: try again
            throw new MessagingException("cannot move mail " + name + " to " + settings.repository().asString(), e);
        } finally {
            if (copy != null) {
                LifecycleUtil.dispose(copy);
            }
            if (content != null) {
                content.dispose();
            }
        }
        LOGGER.error("Poison mail {} from <{}> to {} recipient(s), {} bytes: processing failed {} times, last error: {}. "
                + "Moved to {} and not retried; inspect or reprocess it with webadmin /mailRepositories/{}/mails",
            name, mail.getMaybeSender().asString(), mail.getRecipients().size(), size, previous.attempts(),
            previous.lastErrorOrCrash(), settings.repository().asString(),
            URLEncoder.encode(settings.repository().getPath().asString(), StandardCharsets.UTF_8));
        attempts.clear(name);
        mail.setState(Mail.GHOST);
    }

    /**
     * The server process ended while moving the mail to the poison repository: the message alone,
     * streamed to a file of var/mail/poison-raw/ (no repository, no copy in memory).
     * Should that end the process too, the next call drops the mail: the queue must not loop.
     */
    private void writeAside(Mail mail, ProcessingAttempts.Record previous) throws MessagingException {
        String name = mail.getName();
        attempts.begin(name, settings.maxAttempts() + 2, previous.lastError());
        Path file = lastResort.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".eml");
        try {
            Files.createDirectories(lastResort);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
                SaveWithoutParsing.writeTo(mail.getMessage(), out);
            }
        } catch (IOException | MessagingException | RuntimeException e) {
            attempts.begin(name, settings.maxAttempts() + 1, previous.lastError()); // not a crash: try again
            throw new MessagingException("cannot write mail " + name + " to " + file, e);
        }
        LOGGER.error("Poison mail {} from <{}> to {} recipient(s): processing failed {} times (last error: {}) and the "
                + "server process ended while moving it to {}; its message (without the envelope) is in {}, not retried",
            name, mail.getMaybeSender().asString(), mail.getRecipients().size(), settings.maxAttempts(),
            previous.lastErrorOrCrash(), settings.repository().asString(), file.toAbsolutePath());
        attempts.clear(name);
        mail.setState(Mail.GHOST);
    }

    private void drop(Mail mail, ProcessingAttempts.Record previous) {
        LOGGER.error("Poison mail {} from <{}> to {} recipient(s) DROPPED: processing failed {} times (last error: {}) "
                + "and the server process also ended while moving it to {} and while writing it to " + lastResort,
            mail.getName(), mail.getMaybeSender().asString(), mail.getRecipients().size(), settings.maxAttempts(),
            previous.lastErrorOrCrash(), settings.repository().asString());
        attempts.clear(mail.getName());
        mail.setState(Mail.GHOST);
    }

    private MailRepository repository() {
        try {
            return repositories.select(settings.repository());
        } catch (MailRepositoryStore.MailRepositoryStoreException e) {
            throw new IllegalStateException("cannot open " + settings.repository().asString(), e);
        }
    }

    /** The throwable and, when another, its root cause: what an admin needs in one line. */
    static String describe(Throwable t) {
        Throwable root = Throwables.getRootCause(t);
        return root == t ? t.toString() : t + " (caused by " + root + ")";
    }
}
