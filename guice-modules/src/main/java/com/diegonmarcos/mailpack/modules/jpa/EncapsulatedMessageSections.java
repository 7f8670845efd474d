package com.diegonmarcos.mailpack.modules.jpa;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.Headers;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageAttachmentMetadata;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MimeDescriptor;
import org.apache.james.mailbox.model.MimePath;
import org.apache.james.mailbox.model.ThreadId;

/**
 * BODY[section] of a message whose top-level body is message/rfc822 (RFC 3501 §6.4.5). Such a message is
 * not multipart, so it has one part, numbered 1: its body, the whole encapsulated message. "1.HEADER",
 * "1.TEXT" are that message's header and text, "1.MIME" the top-level header, and "1.n" the parts of the
 * encapsulated message's body (its part 1 when it is not multipart itself, recursively). James 3.8.1 reads
 * the numbers one level too deep for these messages (BODY[1] is the first part inside, "1.1" empty), so
 * for them the part-addressed sections are cut here from the message's own bytes; any other message
 * keeps James' answers. The MIME structure (BODYSTRUCTURE) is James'.
 */
final class EncapsulatedMessageSections implements MessageResult {
    private static final Pattern CONTENT_TYPE = Pattern.compile("^\\s*([^/;\\s]+)\\s*/\\s*([^;\\s]+)");
    private static final Pattern BOUNDARY = Pattern.compile("(?i);\\s*boundary\\s*=\\s*(?:\"([^\"]*)\"|([^;\\s]+))");

    private final MessageResult james;
    private Boolean encapsulated;
    private Entity message;

    private EncapsulatedMessageSections(MessageResult james) {
        this.james = james;
    }

    /** {@code result} with sections computed here when its top-level body turns out to be message/rfc822. */
    static MessageResult of(MessageResult result) {
        return new EncapsulatedMessageSections(result);
    }

    private boolean encapsulated() throws MailboxException {
        if (encapsulated == null) {
            Iterator<Header> headers = james.getHeaders().headers();
            String contentType = "text/plain";
            while (headers.hasNext()) {
                Header header = headers.next();
                if (header.getName().trim().equalsIgnoreCase("Content-Type")) {
                    contentType = header.getValue();
                    break;
                }
            }
            encapsulated = isMessage(type(contentType));
        }
        return encapsulated;
    }

    private Optional<Entity> part(MimePath path) throws MailboxException {
        if (message == null) {
            try (InputStream in = james.getFullContent().getInputStream()) {
                message = Entity.parse(in.readAllBytes(), 0, -1, "text/plain");
            } catch (IOException e) {
                throw new MailboxException("Unable to read the message for its sections", e);
            }
        }
        Entity container = message;
        Entity part = null;
        for (int number : path.getPositions()) {
            if (container == null) {
                return Optional.empty();
            }
            List<Entity> parts = container.isMultipart() ? container.children() : List.of(container);
            if (number < 1 || number > parts.size()) {
                return Optional.empty();
            }
            part = parts.get(number - 1);
            container = part.isMessage() ? part.encapsulated() : part.isMultipart() ? part : null;
        }
        return Optional.ofNullable(part);
    }

    @Override
    public Content getMimeBody(MimePath path) throws MailboxException {
        if (!encapsulated()) {
            return james.getMimeBody(path);
        }
        return part(path).map(Entity::body).orElse(bytes(new byte[0]));
    }

    @Override
    public Content getBody(MimePath path) throws MailboxException {
        if (!encapsulated()) {
            return james.getBody(path);
        }
        return part(path).map(part -> part.isMessage() ? part.encapsulated().body() : part.body()).orElse(bytes(new byte[0]));
    }

    @Override
    public Content getFullContent(MimePath path) throws MailboxException {
        if (!encapsulated()) {
            return james.getFullContent(path);
        }
        return part(path).map(Entity::whole).orElse(bytes(new byte[0]));
    }

    @Override
    public Iterator<Header> iterateHeaders(MimePath path) throws MailboxException {
        if (!encapsulated()) {
            return james.iterateHeaders(path);
        }
        return part(path).map(part -> part.isMessage() ? part.encapsulated().headers() : part.headers())
            .orElse(List.of()).iterator();
    }

    @Override
    public Iterator<Header> iterateMimeHeaders(MimePath path) throws MailboxException {
        if (!encapsulated()) {
            return james.iterateMimeHeaders(path);
        }
        return part(path).map(Entity::headers).orElse(List.of()).iterator();
    }

    // ---- one entity (a message or a body part) of the message's bytes -----------------------------------

    private static final class Entity {
        private final byte[] data;
        private final int start;
        private final int bodyStart;
        private final int end;
        private final List<Header> headers;
        private final String type;
        private final String boundary;

        private Entity(byte[] data, int start, int bodyStart, int end, List<Header> headers, String type, String boundary) {
            this.data = data;
            this.start = start;
            this.bodyStart = bodyStart;
            this.end = end;
            this.headers = headers;
            this.type = type;
            this.boundary = boundary;
        }

        /** The entity in {@code data[start, end)} ({@code end} -1: to the end); {@code defaultType} when it has no Content-Type. */
        static Entity parse(byte[] data, int start, int end, String defaultType) {
            int limit = end < 0 ? data.length : end;
            List<Header> headers = new ArrayList<>();
            int position = start;
            StringBuilder field = null;
            while (position < limit) {
                int lineEnd = lineEnd(data, position, limit);
                String line = new String(data, position, lineLength(data, position, lineEnd), StandardCharsets.ISO_8859_1);
                position = lineEnd;
                if (line.isEmpty()) {
                    break; // the empty line ending the header belongs to it
                }
                if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && field != null) {
                    field.append("\r\n").append(line);
                } else {
                    add(headers, field);
                    field = new StringBuilder(line);
                }
            }
            add(headers, field);
            String contentType = headers.stream().filter(header -> header.getName().equalsIgnoreCase("Content-Type"))
                .map(Header::getValue).findFirst().orElse(defaultType);
            Matcher boundary = BOUNDARY.matcher(contentType);
            return new Entity(data, start, position, limit, headers, type(contentType),
                boundary.find() ? Optional.ofNullable(boundary.group(1)).orElse(boundary.group(2)) : null);
        }

        private static void add(List<Header> headers, StringBuilder field) {
            if (field == null) {
                return;
            }
            int colon = field.indexOf(":");
            if (colon > 0) {
                headers.add(new Header(field.substring(0, colon).trim(), field.substring(colon + 1).replaceFirst("^[ \t]+", "")));
            }
        }

        boolean isMultipart() {
            return type.startsWith("multipart/") && boundary != null;
        }

        boolean isMessage() {
            return EncapsulatedMessageSections.isMessage(type);
        }

        Entity encapsulated() {
            return parse(data, bodyStart, end, "text/plain");
        }

        List<Header> headers() {
            return headers;
        }

        Content body() {
            return bytes(java.util.Arrays.copyOfRange(data, bodyStart, end));
        }

        Content whole() {
            return bytes(java.util.Arrays.copyOfRange(data, start, end));
        }

        /** The body parts between the boundary delimiters (RFC 2046 §5.1.1: the CRLF before a delimiter is the delimiter's). */
        List<Entity> children() {
            String partType = type.equals("multipart/digest") ? "message/rfc822" : "text/plain";
            String delimiter = "--" + boundary;
            List<Entity> parts = new ArrayList<>();
            int partStart = -1;
            int position = bodyStart;
            while (position < end) {
                int lineEnd = lineEnd(data, position, end);
                String line = new String(data, position, lineLength(data, position, lineEnd), StandardCharsets.ISO_8859_1).stripTrailing();
                if (line.equals(delimiter) || line.equals(delimiter + "--")) {
                    if (partStart >= 0) {
                        int partEnd = Math.max(partStart, precedingLineBreak(position));
                        parts.add(parse(data, partStart, partEnd, partType));
                    }
                    if (line.endsWith("--") && line.length() == delimiter.length() + 2) {
                        return parts;
                    }
                    partStart = lineEnd;
                }
                position = lineEnd;
            }
            if (partStart >= 0 && partStart < end) {
                parts.add(parse(data, partStart, end, partType)); // no close delimiter: the rest is the last part
            }
            return parts;
        }

        private int precedingLineBreak(int position) {
            if (position >= 2 && data[position - 2] == '\r' && data[position - 1] == '\n') {
                return position - 2;
            }
            return position >= 1 && data[position - 1] == '\n' ? position - 1 : position;
        }

        /** The index after the line starting at {@code position}, its line break included. */
        private static int lineEnd(byte[] data, int position, int limit) {
            int i = position;
            while (i < limit && data[i] != '\n') {
                i++;
            }
            return Math.min(i + 1, limit);
        }

        private static int lineLength(byte[] data, int position, int lineEnd) {
            int length = lineEnd - position;
            if (length > 0 && data[lineEnd - 1] == '\n') {
                length--;
                if (length > 0 && data[position + length - 1] == '\r') {
                    length--;
                }
            }
            return length;
        }
    }

    private static String type(String contentType) {
        Matcher matcher = CONTENT_TYPE.matcher(contentType);
        return matcher.find() ? (matcher.group(1) + "/" + matcher.group(2)).toLowerCase(Locale.ROOT) : "text/plain";
    }

    private static boolean isMessage(String type) {
        return type.equals("message/rfc822") || type.equals("message/global");
    }

    private static Content bytes(byte[] bytes) {
        return new Content() {
            @Override
            public InputStream getInputStream() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public long size() {
                return bytes.length;
            }
        };
    }

    // ---- the rest is James' ----------------------------------------------------------------------------

    @Override public MessageId getMessageId() { return james.getMessageId(); }
    @Override public ThreadId getThreadId() { return james.getThreadId(); }
    @Override public Optional<Date> getSaveDate() { return james.getSaveDate(); }
    @Override public Date getInternalDate() { return james.getInternalDate(); }
    @Override public Flags getFlags() { return james.getFlags(); }
    @Override public long getSize() { return james.getSize(); }
    @Override public MessageMetaData messageMetaData() { return james.messageMetaData(); }
    @Override public MessageUid getUid() { return james.getUid(); }
    @Override public ModSeq getModSeq() { return james.getModSeq(); }
    @Override public MimeDescriptor getMimeDescriptor() throws MailboxException { return james.getMimeDescriptor(); }
    @Override public MailboxId getMailboxId() { return james.getMailboxId(); }
    @Override public Content getFullContent() throws MailboxException, IOException { return james.getFullContent(); }
    @Override public Content getBody() throws MailboxException, IOException { return james.getBody(); }
    @Override public Headers getHeaders() throws MailboxException { return james.getHeaders(); }
    @Override public List<MessageAttachmentMetadata> getLoadedAttachments() throws MailboxException { return james.getLoadedAttachments(); }
    @Override public int compareTo(MessageResult other) { return james.compareTo(other); }
}
