package com.diegonmarcos.mailpack.dkim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * An {@link OutputStream} a message is written to (e.g. by {@code MimeMessage.writeTo}): it keeps
 * the header section, and once it is complete asks {@code onHeaders} where the body goes, so a
 * message of any size is signed or verified in one pass with only its header in memory. The header
 * section ends at the first empty line (CRLF CRLF, or LF LF from a sloppy writer).
 */
public final class MessageSplitter extends OutputStream {
    /** Where the body goes. */
    public interface BodySink {
        void write(byte[] bytes, int offset, int length);
    }

    private enum State { CONTENT, LINE_START, LINE_START_CR }

    /** The header section is larger than the splitter accepts. */
    public static final class HeaderTooLargeException extends IOException {
        HeaderTooLargeException(long limit) {
            super("header section longer than " + limit + " octets");
        }
    }

    private final Function<List<HeaderField>, BodySink> onHeaders;
    private final long maxHeaderBytes;
    private final ByteArrayOutputStream header = new ByteArrayOutputStream(4096);
    private State state = State.LINE_START;
    private int lineStart;
    private BodySink body;

    /**
     * @param maxHeaderBytes a longer header section fails with an IOException (a defence against a
     *        message that is all header)
     */
    public MessageSplitter(Function<List<HeaderField>, BodySink> onHeaders, long maxHeaderBytes) {
        this.onHeaders = onHeaders;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (body != null) {
            body.write(bytes, offset, length);
            return;
        }
        int end = offset + length;
        long room = maxHeaderBytes - header.size();
        for (int i = offset; i < end; i++) {
            if (i - offset >= room) {
                throw new HeaderTooLargeException(maxHeaderBytes);
            }
            byte b = bytes[i];
            switch (state) {
                case LINE_START:
                    if (b == '\n') {
                        endOfHeader(bytes, offset, i, end);
                        return;
                    }
                    state = b == '\r' ? State.LINE_START_CR : (b == '\n' ? State.LINE_START : State.CONTENT);
                    break;
                case LINE_START_CR:
                    if (b == '\n') {
                        endOfHeader(bytes, offset, i, end);
                        return;
                    }
                    state = State.CONTENT; // a bare CR at the start of a line: ordinary content
                    break;
                default:
                    if (b == '\n') {
                        state = State.LINE_START;
                        lineStart = header.size() + (i - offset) + 1;
                    }
                    break;
            }
        }
        header.write(bytes, offset, length);
    }

    /** {@code index} is the LF of the empty line: what follows is body. */
    private void endOfHeader(byte[] bytes, int offset, int index, int end) {
        header.write(bytes, offset, index - offset);
        byte[] section = header.toByteArray();
        body = onHeaders.apply(fields(section, lineStart));
        if (index + 1 < end) {
            body.write(bytes, index + 1, end - index - 1);
        }
    }

    private static List<HeaderField> fields(byte[] section, int length) {
        return HeaderField.parse(new String(section, 0, Math.min(length, section.length), StandardCharsets.ISO_8859_1));
    }

    /** Ends the message; one without an empty line is all header, with an empty body. */
    @Override
    public void close() {
        if (body == null) {
            byte[] section = header.toByteArray();
            body = onHeaders.apply(fields(section, section.length));
        }
    }
}
