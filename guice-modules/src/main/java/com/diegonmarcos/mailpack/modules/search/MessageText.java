package com.diegonmarcos.mailpack.modules.search;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.ByteSequence;
import org.apache.james.mime4j.util.MimeUtil;

/**
 * The text of a message as a search sees it: header fields unfolded, their encoded words decoded
 * (RFC 2047) and 8-bit values read as UTF-8 (RFC 6532); bodies of {@code text/*} parts decoded from
 * quoted-printable or base64 (RFC 2045) in their charset, at any depth of multiparts and attached
 * messages. Bodies are streamed: the reading stops at the first match and never holds a body whole.
 */
public final class MessageText {
    private static final int CHUNK = 8192;

    /** A header field: its name and its decoded, unfolded value. */
    public record HeaderField(String name, String value) {
        /** The field as a line: {@code Name: value}. */
        public String line() {
            return name + ": " + value;
        }
    }

    /** What a text match covers (RFC 3501 §6.4.4). */
    public enum Scope {
        /** {@code BODY}: everything after the message's own header */
        BODY,
        /** {@code TEXT}: the header and the body */
        TEXT
    }

    private MessageText() {
    }

    /** The fields of the message's own header (the stream may be the header alone or the whole message). */
    public static List<HeaderField> header(InputStream message) throws IOException {
        List<HeaderField> fields = new ArrayList<>();
        parse(message, new AbstractContentHandler() {
            @Override
            public void field(Field field) {
                fields.add(decode(field));
            }

            @Override
            public void endHeader() throws MimeException {
                throw new Stop(); // the body is not needed
            }
        });
        return fields;
    }

    /** Whether {@code matcher} matches the decoded text of the message in {@code scope}. */
    public static boolean contains(InputStream message, SubstringMatcher matcher, Scope scope) throws IOException {
        SubstringMatcher.Scan scan = matcher.scan();
        if (scan.found()) {
            return true;
        }
        return parse(message, new AbstractContentHandler() {
            private int headers;
            private boolean inOwnHeader;

            @Override
            public void startHeader() {
                inOwnHeader = ++headers == 1;
            }

            @Override
            public void field(Field field) throws MimeException {
                if (inOwnHeader && scope == Scope.BODY) {
                    return;
                }
                scan.separate();
                scan.feed(decode(field).line());
                stopIfFound(scan);
            }

            @Override
            public void body(BodyDescriptor descriptor, InputStream in) throws MimeException, IOException {
                if (!"text".equalsIgnoreCase(descriptor.getMediaType())) {
                    return; // attachments are not text (as Dovecot without an FTS plugin)
                }
                scan.separate();
                try (Reader reader = new InputStreamReader(in, charsetOf(descriptor))) {
                    char[] buffer = new char[CHUNK];
                    int read;
                    while ((read = reader.read(buffer)) != -1) {
                        scan.feed(buffer, 0, read);
                        stopIfFound(scan);
                    }
                }
            }
        });
    }

    private static void stopIfFound(SubstringMatcher.Scan scan) throws Stop {
        if (scan.found()) {
            throw new Stop();
        }
    }

    /** Parses until the end or a {@link Stop}; true if stopped. */
    private static boolean parse(InputStream message, AbstractContentHandler handler) throws IOException {
        MimeStreamParser parser = new MimeStreamParser(MimeConfig.PERMISSIVE);
        parser.setContentDecoding(true);
        parser.setRecurse();
        parser.setContentHandler(handler);
        try {
            parser.parse(message);
            return false;
        } catch (Stop stop) {
            return true;
        } catch (MimeException e) {
            throw new IOException("cannot parse the message", e);
        }
    }

    static HeaderField decode(Field field) {
        String name = field.getName();
        String value = field.getBody();
        ByteSequence raw = field.getRaw();
        if (raw != null) {
            String line = new String(raw.toByteArray(), StandardCharsets.UTF_8);
            int colon = line.indexOf(':');
            value = colon < 0 ? value : line.substring(colon + 1);
        }
        String unfolded = MimeUtil.unfold(value).strip();
        return new HeaderField(name, DecoderUtil.decodeEncodedWords(unfolded, DecodeMonitor.SILENT));
    }

    private static Charset charsetOf(BodyDescriptor descriptor) {
        String name = descriptor.getCharset();
        if (name == null || name.isBlank()) {
            return StandardCharsets.UTF_8; // US-ASCII by RFC 2045, of which UTF-8 is a superset; undeclared 8-bit is mostly UTF-8
        }
        try {
            Charset charset = Charset.forName(name.strip().toLowerCase(Locale.ROOT));
            return "US-ASCII".equals(charset.name()) ? StandardCharsets.UTF_8 : charset;
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** Ends a parse early: found, or nothing more needed. */
    private static final class Stop extends MimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("stop");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
