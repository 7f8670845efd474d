package com.diegonmarcos.mailpack.modules.jpa;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.Property;
import org.apache.james.mailbox.store.mail.model.impl.Properties;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;

import com.google.common.collect.Iterators;

import reactor.core.publisher.Flux;

/**
 * The message mapper, keeping the body of a message over {@link BodyFiles#THRESHOLD} in a file
 * ({@link BodyFiles}) instead of the database: the append streams it to the file, a read gives a
 * message whose body is read from that file, a COPY or a MOVE links the file under its new name, an
 * EXPUNGE deletes it once the transaction committed. A 49 MB message then costs the heap its header
 * only, wherever it goes; in the database it cost over three times its size (see {@link BodyFiles}).
 *
 * <p>Smaller messages stay in the database as before (no change for the mail most users get).
 */
public class FileBodyMessageMapper extends OneTransactionMessageMapper {
    private final BodyFiles bodyFiles;
    private final Queue<Removed> removedOnCommit = new ConcurrentLinkedQueue<>();

    private record Removed(MailboxId mailboxId, MessageUid uid) {
    }

    public FileBodyMessageMapper(EntityManagerFactory entityManagerFactory, RecentAppends recentAppends, BodyFiles bodyFiles) {
        super(entityManagerFactory, recentAppends);
        this.bodyFiles = bodyFiles;
    }

    /** A new big message: its body to a file, its row without it. Entities (flag changes, copies) as James saves them. */
    @Override
    protected MessageMetaData save(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        if (message instanceof FileBodyMessage fileBody) {
            return super.save(mailbox, fileBody.entity());
        }
        if (message instanceof org.apache.james.mailbox.jpa.mail.model.openjpa.AbstractJPAMailboxMessage
            || message.getFullContentOctets() <= BodyFiles.THRESHOLD) {
            return super.save(mailbox, message);
        }
        try {
            bodyFiles.write(mailbox.getMailboxId(), message.getUid(), message.getBodyContent());
        } catch (IOException e) {
            throw new MailboxException("Cannot write the body of message " + message.getUid() + " of mailbox " + mailbox.getMailboxId().serialize(), e);
        }
        return super.save(mailbox, new WithoutBody(message));
    }

    @Override
    public Iterator<MailboxMessage> findInMailbox(Mailbox mailbox, MessageRange range, FetchType type, int max) throws MailboxException {
        Iterator<MailboxMessage> found = super.findInMailbox(mailbox, range, type, max);
        if (type == FetchType.METADATA) {
            return found; // no content read; these may be changed and saved (flags)
        }
        return Iterators.transform(found, this::withBodyFile);
    }

    @Override
    public Flux<MailboxMessage> findInMailboxReactive(Mailbox mailbox, MessageRange range, FetchType type, int max) {
        Flux<MailboxMessage> found = super.findInMailboxReactive(mailbox, range, type, max);
        return type == FetchType.METADATA ? found : found.map(this::withBodyFile);
    }

    private MailboxMessage withBodyFile(MailboxMessage message) {
        return BodyFiles.isMarked(message) ? new FileBodyMessage(message, bodyFiles) : message;
    }

    @Override
    public MessageMetaData copy(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        MailboxMessage source = original instanceof FileBodyMessage fileBody ? fileBody.entity() : original;
        if (!BodyFiles.isMarked(source)) {
            return super.copy(mailbox, original);
        }
        MessageMetaData copied = super.copy(mailbox, source); // the row, its (empty) body column included
        try {
            bodyFiles.link(source.getMailboxId(), source.getUid(), mailbox.getMailboxId(), copied.getUid());
        } catch (IOException e) {
            throw new MailboxException("Cannot link the body of message " + source.getUid() + " into mailbox " + mailbox.getMailboxId().serialize(), e);
        }
        return copied;
    }

    @Override
    public void delete(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        super.delete(mailbox, message);
        removeAfterCommit(mailbox.getMailboxId(), message.getUid());
    }

    @Override
    public Map<MessageUid, MessageMetaData> deleteMessages(Mailbox mailbox, List<MessageUid> uids) throws MailboxException {
        Map<MessageUid, MessageMetaData> deleted = super.deleteMessages(mailbox, uids);
        deleted.keySet().forEach(uid -> removeAfterCommit(mailbox.getMailboxId(), uid));
        return deleted;
    }

    /** A file is deleted only once its row is gone for good: a rolled back EXPUNGE keeps both. */
    private void removeAfterCommit(MailboxId mailboxId, MessageUid uid) {
        if (getEntityManager().getTransaction().isActive()) {
            removedOnCommit.add(new Removed(mailboxId, uid));
        } else {
            bodyFiles.delete(mailboxId, uid);
        }
    }

    @Override
    protected void commit() throws MailboxException {
        super.commit();
        for (Removed removed = removedOnCommit.poll(); removed != null; removed = removedOnCommit.poll()) {
            bodyFiles.delete(removed.mailboxId(), removed.uid());
        }
    }

    @Override
    protected void rollback() throws MailboxException {
        removedOnCommit.clear();
        super.rollback();
    }

    /** A stored message whose body is read from its file. */
    static final class FileBodyMessage extends ForwardingMailboxMessage {
        private final BodyFiles bodyFiles;

        FileBodyMessage(MailboxMessage entity, BodyFiles bodyFiles) {
            super(entity);
            this.bodyFiles = bodyFiles;
        }

        MailboxMessage entity() {
            return delegate;
        }

        @Override
        public InputStream getBodyContent() throws IOException {
            return bodyFiles.open(delegate.getMailboxId(), delegate.getUid());
        }
    }

    /** A new message as its row is made: the header, the metadata, the marker; the body is in its file. */
    static final class WithoutBody extends ForwardingMailboxMessage {
        WithoutBody(MailboxMessage message) {
            super(message);
        }

        @Override
        public InputStream getBodyContent() {
            return new ByteArrayInputStream(new byte[0]);
        }

        @Override
        public Properties getProperties() {
            List<Property> properties = new ArrayList<>(delegate.getProperties().toProperties());
            properties.add(BodyFiles.MARKER);
            return new PropertyBuilder(properties).build();
        }
    }
}
