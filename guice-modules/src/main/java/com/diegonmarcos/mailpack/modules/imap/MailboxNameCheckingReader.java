package com.diegonmarcos.mailpack.modules.imap;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import org.apache.james.imap.decode.DecodingException;
import org.apache.james.imap.decode.ImapRequestLineReader;
import org.apache.james.imap.message.Literal;

/**
 * James' request line reader, with mailbox name arguments decoded by {@link StrictMailboxNames}: every
 * command parser reads its mailbox names through {@link #mailbox()}, so one place checks them all. Reading
 * itself (characters, literals, continuation requests) is the wrapped reader's, whose state it keeps; a
 * reader may first give out a {@code prefix} of its own (so that James' parser reads the rest of a command
 * after arguments mailpack has parsed, see {@link ExtendedListParser}).
 */
final class MailboxNameCheckingReader extends ImapRequestLineReader {
    private static final Method CONTINUATION = continuationRequest();

    private final ImapRequestLineReader reader;
    private final String prefix;
    private int position;

    MailboxNameCheckingReader(ImapRequestLineReader reader) {
        this(reader, "");
    }

    MailboxNameCheckingReader(ImapRequestLineReader reader, String prefix) {
        this.reader = reader;
        this.prefix = prefix;
    }

    private static Method continuationRequest() {
        try {
            Method method = ImapRequestLineReader.class.getDeclaredMethod("commandContinuationRequest");
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("James' ImapRequestLineReader has no commandContinuationRequest()", e);
        }
    }

    @Override
    public String mailbox() throws DecodingException {
        return StrictMailboxNames.decode(mailboxUTF7());
    }

    @Override
    public char nextChar() throws DecodingException {
        return position < prefix.length() ? prefix.charAt(position) : reader.nextChar();
    }

    @Override
    public char consume() throws DecodingException {
        return position < prefix.length() ? prefix.charAt(position++) : reader.consume();
    }

    @Override
    public Literal read(int size, boolean extraCRLF) throws IOException {
        return reader.read(size, extraCRLF);
    }

    @Override
    protected void commandContinuationRequest() throws DecodingException {
        try {
            CONTINUATION.invoke(reader);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof DecodingException) {
                throw (DecodingException) e.getCause();
            }
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
