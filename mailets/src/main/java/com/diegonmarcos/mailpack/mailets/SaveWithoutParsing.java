package com.diegonmarcos.mailpack.mailets;

import java.lang.reflect.Field;
import java.util.Date;
import java.util.UUID;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageWrapper;

/**
 * {@code MimeMessage.saveChanges()} for a received multipart message whose body nobody changed, without
 * reading that body into the heap.
 *
 * <p>JavaMail's {@code saveChanges()} walks the MIME tree ({@code getContent()}) to update each part's
 * header; James' message wrapper then reads the whole message into one {@code byte[]} and parses it,
 * and every write of a message whose header a hook or mailet changed calls it. Yet James writes such a
 * message's body from its source, as received: the parts' updated headers are never written. What
 * does reach the output are the top-level fields {@code saveChanges()} settles (MIME-Version, a missing
 * Date or Message-ID): this sets those and marks the message saved. A 49 MB submission cost 64 MB of
 * heap at queueing otherwise (three at once ended the shipped {@code -Xmx256m} JVM).
 *
 * <p>Any other message (single part, body changed, not James' wrapper) gets {@code saveChanges()}.
 */
public final class SaveWithoutParsing {
    private static final Field SAVED = savedField();

    private SaveWithoutParsing() {
    }

    /**
     * What writing the message would settle first, settled without parsing: nothing unless James' wrapper
     * has unsaved header changes (then its {@code writeTo} would call {@code saveChanges()}).
     */
    public static void beforeWrite(MimeMessage message) throws MessagingException {
        if (message instanceof MimeMessageWrapper wrapper && wrapper.isHeaderModified() && !isSaved(wrapper)) {
            saveChanges(message);
        }
    }

    /**
     * {@code message.writeTo(out)} after {@link #beforeWrite}: what every write of a received message
     * should be (a hook or mailet that changed a header, then wrote the message to rspamd, clamd or a
     * DKIM hash, read a multipart message whole into the heap: sixteen 9.5 MB messages scanned at once
     * allocated about 1 GB and ended the shipped JVM).
     */
    public static void writeTo(MimeMessage message, java.io.OutputStream out) throws java.io.IOException, MessagingException {
        beforeWrite(message);
        message.writeTo(out);
    }

    private static boolean isSaved(MimeMessageWrapper wrapper) {
        try {
            return SAVED != null && SAVED.getBoolean(wrapper);
        } catch (IllegalAccessException e) {
            return false;
        }
    }

    /** {@code message.saveChanges()}, without reading the body of an unmodified multipart message. */
    public static void saveChanges(MimeMessage message) throws MessagingException {
        if (SAVED == null || !(message instanceof MimeMessageWrapper wrapper) || wrapper.isBodyModified()
            || !message.isMimeType("multipart/*")) {
            message.saveChanges();
            return;
        }
        if (message.getHeader("MIME-Version") == null) {
            message.setHeader("MIME-Version", "1.0");
        }
        if (message.getHeader("Date") == null) {
            message.setSentDate(new Date());
        }
        if (message.getHeader("Message-ID") == null) {
            message.setHeader("Message-ID", "<" + UUID.randomUUID() + "@mailpack>");
        }
        try {
            SAVED.setBoolean(wrapper, true); // after the changes above: each one marks the wrapper unsaved
        } catch (IllegalAccessException e) {
            message.saveChanges();
        }
    }

    private static Field savedField() {
        try {
            Field saved = MimeMessage.class.getDeclaredField("saved");
            saved.setAccessible(true);
            return saved;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // another JavaMail: saveChanges() as before
        }
    }
}
