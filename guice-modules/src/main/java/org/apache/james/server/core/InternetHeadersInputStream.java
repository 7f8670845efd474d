package org.apache.james.server.core;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;

import javax.mail.internet.InternetHeaders;

/**
 * mailpack's replacement of James 3.8.1's class of the same name (which this one shadows on the class
 * path: the server jar comes first), the stream of a message's header lines that James writes whenever
 * a mailet or hook changed a header: into the queue, the mailbox, the DKIM signer's input.
 *
 * <p>James encodes each line as US-ASCII, so every 8-bit byte of a header (a raw UTF-8 subject, RFC 6532)
 * became {@code ?} in the stored copy, and a DKIM signature made afterwards covered the damaged text.
 * JavaMail reads header bytes as ISO-8859-1 characters (one character per byte, {@code mail.mime.allowutf8}
 * off), so writing characters up to U+00FF back as one byte each gives the received bytes exactly. A
 * character above U+00FF can only come from code that set a header, never from the wire: it is written
 * as UTF-8.
 *
 * <p>{@code MailpackServer} checks at start that this class, not James', is the one loaded.
 */
public class InternetHeadersInputStream extends InputStream {
    private static final byte[] CRLF = {'\r', '\n'};

    private final Enumeration<String> headerLines;
    private byte[] line = new byte[0];
    private int position;

    public InternetHeadersInputStream(InternetHeaders headers) {
        this(headers.getAllHeaderLines());
    }

    public InternetHeadersInputStream(Enumeration<String> headerLines) {
        this.headerLines = headerLines;
    }

    @Override
    public int read() {
        if (!ensureLine()) {
            return -1;
        }
        return line[position++] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        if (!ensureLine()) {
            return -1;
        }
        int count = Math.min(length, line.length - position);
        System.arraycopy(line, position, buffer, offset, count);
        position += count;
        return count;
    }

    /** True when {@link #line} has bytes left to read, loading the next header line if needed. */
    private boolean ensureLine() {
        while (position == line.length) {
            if (!headerLines.hasMoreElements()) {
                return false;
            }
            String next = headerLines.nextElement();
            line = encode(next, !headerLines.hasMoreElements());
            position = 0;
        }
        return true;
    }

    /** One header line and its CRLF, with the empty line that ends the header after the last one. */
    static byte[] encode(String headerLine, boolean last) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(headerLine.length() + 4);
        for (int i = 0; i < headerLine.length(); i++) {
            char c = headerLine.charAt(i);
            if (c <= 0xff) {
                out.write(c);
            } else {
                int codePoint = headerLine.codePointAt(i);
                out.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint) - 1;
            }
        }
        out.writeBytes(CRLF);
        if (last) {
            out.writeBytes(CRLF);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        line = new byte[0];
        position = 0;
    }
}
