package com.diegonmarcos.mailpack.dkim;

/**
 * RFC 6376 §3.4.3 / §3.4.4 body canonicalization, one pass, constant memory. Input line ends may
 * be CRLF, bare LF or bare CR (each counts as one line end, as an SMTP client would send it);
 * output line ends are CRLF. Empty lines are held back until a non-empty line follows, so trailing
 * empty lines are dropped; a last line without line end gets one (whitespace on it is kept, one SP).
 */
public final class BodyCanonicalizer {
    /** Receives canonical octets. */
    public interface Sink {
        void accept(byte[] bytes, int offset, int length);
    }

    private static final int BUFFER = 8192;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final boolean relaxed;
    private final Sink sink;
    private final byte[] buffer = new byte[BUFFER];
    private int buffered;
    private long emptyLines;
    private boolean lineHasContent;
    private boolean pendingSpace;
    private boolean lastWasCr;
    private boolean anyContent;
    private long length;
    private boolean finished;

    BodyCanonicalizer(Canonicalization canonicalization, Sink sink) {
        this.relaxed = canonicalization == Canonicalization.RELAXED;
        this.sink = sink;
    }

    public void write(byte[] bytes, int offset, int count) {
        int end = offset + count;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (lastWasCr) {
                lastWasCr = false;
                if (b == LF) {
                    continue; // the LF of a CRLF already counted
                }
            }
            if (b == CR) {
                endOfLine();
                lastWasCr = true;
            } else if (b == LF) {
                endOfLine();
            } else {
                content(b);
            }
        }
    }

    /** Ends the body; afterwards {@link #length()} is final. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (relaxed && pendingSpace) {
            // whitespace on a last line without line end is not "at the end of a line": it stays
            // (one SP), as dkimpy, jDKIM and the RFC's order of steps have it
            startLine();
            emit((byte) ' ');
            pendingSpace = false;
        }
        if (lineHasContent) {
            endOfLine();
        }
        if (!relaxed && !anyContent) {
            // simple: an empty body is a single CRLF (RFC 6376 §3.4.3)
            emit(CR);
            emit(LF);
        }
        flush();
    }

    /** Canonical octets produced so far. */
    public long length() {
        return length;
    }

    private void content(byte b) {
        boolean whitespace = b == ' ' || b == '\t';
        if (relaxed && whitespace) {
            pendingSpace = true;
            return;
        }
        startLine();
        if (pendingSpace) {
            emit((byte) ' ');
            pendingSpace = false;
        }
        emit(b);
    }

    /** First visible octet of a line: the empty lines held back were not trailing after all. */
    private void startLine() {
        if (!lineHasContent) {
            for (; emptyLines > 0; emptyLines--) {
                emit(CR);
                emit(LF);
            }
            lineHasContent = true;
            anyContent = true;
        }
    }

    private void endOfLine() {
        if (!relaxed && pendingSpace) {
            throw new IllegalStateException("unreachable: simple keeps whitespace");
        }
        pendingSpace = false; // relaxed: whitespace at the end of a line is ignored
        if (lineHasContent) {
            emit(CR);
            emit(LF);
            lineHasContent = false;
        } else {
            emptyLines++;
        }
    }

    private void emit(byte b) {
        if (buffered == BUFFER) {
            flush();
        }
        buffer[buffered++] = b;
        length++;
    }

    private void flush() {
        if (buffered > 0) {
            sink.accept(buffer, 0, buffered);
            buffered = 0;
        }
    }
}
