package com.diegonmarcos.mailpack.modules.jpa;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.model.Message;
import org.apache.james.mailbox.store.mail.model.Property;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;

/**
 * The bodies of big messages, one file each under {@code var/store/bodies/<mailbox id>/<uid>}, outside the
 * database.
 *
 * <p>Derby keeps a BLOB it inserts in the heap several times over: the entity's {@code byte[]}, the
 * column's buffer and the transaction log record, which holds the whole value (a heap dump of a 30 MB
 * delivery: 31 + 31 + 42 + 10 MB). A 30 MB message on port 25 ended the shipped {@code -Xmx256m} JVM.
 * A message over {@link #THRESHOLD} keeps its header and its metadata in the database and its body
 * here, written and read as a stream, as a file-based store (Maildir, Dovecot's mdbox) keeps mail.
 *
 * <p>A row whose body is here carries the property {@link #MARKER} (so a copy made by James' code
 * carries it as well); a file without a row (an append whose transaction failed) is never read and is
 * replaced by the next message given that UID.
 */
@Singleton
public class BodyFiles {
    /** Bodies of messages over this many octets (header included) are kept in files. */
    public static final long THRESHOLD = 1024 * 1024;
    static final String DIRECTORY = "file://var/store/bodies";
    static final Property MARKER = new Property("mailpack", "body", "file");
    private static final Logger LOGGER = LoggerFactory.getLogger(BodyFiles.class);

    private final Path root;

    @Inject
    public BodyFiles(FileSystem fileSystem) throws IOException {
        this(fileSystem.getFile(DIRECTORY).toPath());
    }

    @VisibleForTesting
    BodyFiles(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    static boolean isMarked(Message message) {
        return isMarked(message.getProperties().toProperties());
    }

    static boolean isMarked(List<Property> properties) {
        return properties.stream().anyMatch(p -> MARKER.getNamespace().equals(p.getNamespace())
            && MARKER.getLocalName().equals(p.getLocalName()));
    }

    Path path(MailboxId mailboxId, MessageUid uid) {
        return root.resolve(((JPAId) mailboxId).serialize()).resolve(Long.toString(uid.asLong()));
    }

    /** Writes the body of message {@code uid} of the mailbox, synced to disk, in place of any file of that name. */
    void write(MailboxId mailboxId, MessageUid uid, InputStream body) throws IOException {
        Path target = path(mailboxId, uid);
        Files.createDirectories(target.getParent());
        Path temporary = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try (InputStream in = body;
             FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.transferTo(Channels.newOutputStream(channel));
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        moveInPlace(temporary, target);
    }

    /** A second name for a body (a COPY or a MOVE): no content copied. */
    void link(MailboxId fromMailbox, MessageUid fromUid, MailboxId toMailbox, MessageUid toUid) throws IOException {
        Path source = path(fromMailbox, fromUid);
        Path target = path(toMailbox, toUid);
        Files.createDirectories(target.getParent());
        Path temporary = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        Files.createLink(temporary, source);
        moveInPlace(temporary, target);
    }

    private static void moveInPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel directory = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    InputStream open(MailboxId mailboxId, MessageUid uid) throws IOException {
        Path file = path(mailboxId, uid);
        try {
            return new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
        } catch (NoSuchFileException e) {
            throw new IOException("the body of message " + uid.asLong() + " of mailbox " + mailboxId.serialize()
                + " is missing: " + file, e);
        }
    }

    void delete(MailboxId mailboxId, MessageUid uid) {
        try {
            Files.deleteIfExists(path(mailboxId, uid));
        } catch (IOException e) {
            LOGGER.warn("Cannot delete the body file of message {} of mailbox {}: {}", uid.asLong(), mailboxId.serialize(), e.toString());
        }
    }

    /** The body files of a deleted mailbox. */
    void deleteMailbox(MailboxId mailboxId) {
        Path directory = root.resolve(((JPAId) mailboxId).serialize());
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            LOGGER.warn("Cannot delete the body files of mailbox {}: {}", mailboxId.serialize(), e.toString());
        }
    }
}
