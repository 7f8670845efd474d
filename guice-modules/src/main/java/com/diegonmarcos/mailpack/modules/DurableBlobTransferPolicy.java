package com.diegonmarcos.mailpack.modules;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import javax.jms.JMSException;
import javax.mail.util.SharedFileInputStream;

import org.apache.activemq.blob.BlobDownloadStrategy;
import org.apache.activemq.blob.BlobTransferPolicy;
import org.apache.activemq.blob.BlobUploadStrategy;
import org.apache.activemq.command.ActiveMQBlobMessage;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.queue.activemq.FileSystemBlobStrategy;
import org.apache.james.queue.activemq.FileSystemBlobTransferPolicy;

/**
 * Where the mail queue keeps the content of queued mail (a file per mail under
 * {@code var/store/activemq/blob-transfer}), written durably.
 *
 * <p>James' strategy writes the file and flushes it to the operating system only, while KahaDB
 * syncs the queue entry that points to it. The SMTP client has been told 250 by then, so a power
 * cut or a kernel crash in the next seconds (before the kernel writes the file back) left an entry
 * whose content was gone; the spooler then logs "Blob message cannot be found, discarding email".
 * Here the file and its directory entry are synced before the entry is sent to KahaDB, as Postfix
 * syncs a queue file before it answers 250.
 */
final class DurableBlobTransferPolicy extends FileSystemBlobTransferPolicy {
    private final FileSystem fileSystem;
    private DurableBlobStrategy strategy;

    DurableBlobTransferPolicy(FileSystem fileSystem) {
        this.fileSystem = fileSystem; // James' policy keeps its own privately, for the strategy replaced here
    }

    @Override
    public BlobTransferPolicy copy() {
        DurableBlobTransferPolicy that = new DurableBlobTransferPolicy(fileSystem);
        that.setDefaultUploadUrl(getDefaultUploadUrl());
        that.setBrokerUploadUrl(getBrokerUploadUrl());
        that.setUploadUrl(getUploadUrl());
        that.setUploadStrategy(getUploadStrategy());
        return that;
    }

    @Override
    protected BlobUploadStrategy createUploadStrategy() {
        return strategy();
    }

    @Override
    protected BlobDownloadStrategy createDownloadStrategy() {
        return strategy();
    }

    private synchronized DurableBlobStrategy strategy() {
        if (strategy == null) {
            strategy = new DurableBlobStrategy(this, fileSystem);
        }
        return strategy;
    }

    static final class DurableBlobStrategy extends FileSystemBlobStrategy {
        private static final int SPLIT_COUNT = 10; // sub-directories, as James' policy uses

        DurableBlobStrategy(BlobTransferPolicy policy, FileSystem fileSystem) {
            super(policy, fileSystem, SPLIT_COUNT);
        }

        @Override
        public URL uploadStream(ActiveMQBlobMessage message, InputStream in) throws JMSException, IOException {
            File file = getFile(message);
            try (InputStream content = in;
                 FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                content.transferTo(Channels.newOutputStream(channel));
                channel.force(true);
            }
            syncDirectory(file.toPath().getParent());
            return file.toURI().toURL();
        }

        /**
         * The content as a {@link SharedFileInputStream}: JavaMail then keeps a parsed message's body as
         * ranges of the file. From a plain stream it reads the whole body into one {@code byte[]} the
         * first time anything parses the message, which James' {@code saveChanges()} does for every
         * multipart mail whose header a mailet changed (three 49 MB submissions, signed at once,
         * ended the shipped {@code -Xmx256m} JVM).
         */
        @Override
        public InputStream getInputStream(ActiveMQBlobMessage message) throws IOException, JMSException {
            return new SharedFileInputStream(getFile(message));
        }

        /** Makes the new file's name durable too (on Linux a directory can be opened and synced). */
        private static void syncDirectory(Path directory) throws IOException {
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
    }
}
