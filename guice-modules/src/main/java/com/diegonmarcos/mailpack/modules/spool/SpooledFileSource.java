package com.diegonmarcos.mailpack.modules.spool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.mail.MessagingException;
import javax.mail.util.SharedFileInputStream;

import org.apache.james.lifecycle.api.Disposable;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.mailet.Mail;

/**
 * The content of a mail copied to a temporary file, read back as a {@link SharedFileInputStream}.
 * JavaMail parses such a stream without copying the body into the heap, and James' file mail
 * repository then writes it out as a stream: a poisoned mail of 50 MB is moved with a few KiB of
 * heap. (Parsing the queue's own stream would load the whole body: a mail that failed because it is
 * too big for the heap would fail again while being put aside.) {@link #dispose()} deletes the file.
 */
final class SpooledFileSource implements MimeMessageSource, Disposable {
    private final String sourceId;
    private final Path file;

    private SpooledFileSource(String sourceId, Path file) {
        this.sourceId = sourceId;
        this.file = file;
    }

    /** Copies the raw content of {@code mail} (as queued: unparsed, streamed) to a temporary file. */
    static SpooledFileSource copyOf(Mail mail) throws MessagingException {
        Path file;
        try {
            file = Files.createTempFile("mailpack-poison-", ".eml");
        } catch (IOException e) {
            throw new MessagingException("cannot create a temporary file for " + mail.getName(), e);
        }
        SpooledFileSource source = new SpooledFileSource("poison-" + mail.getName(), file);
        try (InputStream in = new MimeMessageInputStream(mail.getMessage());
             OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
            return source;
        } catch (IOException | MessagingException | RuntimeException e) {
            source.dispose();
            throw new MessagingException("cannot copy the content of " + mail.getName(), e);
        }
    }

    @Override
    public String getSourceId() {
        return sourceId;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return new SharedFileInputStream(file.toFile());
    }

    @Override
    public long getMessageSize() throws IOException {
        return Files.size(file);
    }

    @Override
    public void dispose() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            file.toFile().deleteOnExit();
        }
    }
}
