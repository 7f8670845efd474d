package com.diegonmarcos.mailpack.modules.imap;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import org.apache.james.imap.api.message.IdRange;
import org.apache.james.imap.api.message.UidRange;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.DecodingException;
import org.apache.james.imap.decode.ImapRequestLineReader;
import org.apache.james.imap.message.Literal;

/**
 * James' request line reader, with mailbox name arguments decoded by {@link StrictMailboxNames}: every
 * command parser reads its mailbox names through {@link #mailbox()}, so one place checks them all. Reading
 * itself (characters, literals, continuation requests) is the wrapped reader's, whose state it keeps; a
 * reader may first give out a {@code prefix} of its own (so that James' parser reads the rest of a command
 * after arguments mailpack has parsed, see {@link ExtendedListParser}).
 *
 * <p>Made for a command, it also reads RFC 5182's {@code $} as one of {@link SavedSearchResult}'s markers, which
 * {@link SavedSearchResultProcessor} replaces by the saved messages when the command runs (a pipelined command is
 * read before the SEARCH that saves its {@code $} has run): UIDs in a UID command's message set and after a
 * search's {@code UID} key, sequence numbers elsewhere (a search's bare message set is sequence numbers in
 * {@code UID SEARCH} too).
 */
final class MailboxNameCheckingReader extends ImapRequestLineReader {
    private static final Method CONTINUATION = continuationRequest();

    private static final String UID = "UID";
    private static final String SEARCH = "SEARCH";

    private final ImapRequestLineReader reader;
    private final String prefix;
    private final String command;
    private String uidSubcommand;
    private int position;

    MailboxNameCheckingReader(ImapRequestLineReader reader) {
        this(reader, "");
    }

    MailboxNameCheckingReader(ImapRequestLineReader reader, String prefix) {
        this(reader, prefix, null);
    }

    /** The reader of {@code command}'s arguments, {@code $} read as the saved search result. */
    static MailboxNameCheckingReader forCommand(ImapRequestLineReader reader, String command) {
        return new MailboxNameCheckingReader(reader, "", command);
    }

    private MailboxNameCheckingReader(ImapRequestLineReader reader, String prefix, String command) {
        this.reader = reader;
        this.prefix = prefix;
        this.command = command;
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

    /** The first atom of a UID command is the command it applies to (James' UidCommandParser reads it so). */
    @Override
    public String atom() throws DecodingException {
        String atom = super.atom();
        if (uidCommand() && uidSubcommand == null) {
            uidSubcommand = atom;
        }
        return atom;
    }

    private boolean uidCommand() {
        return UID.equalsIgnoreCase(command);
    }

    private boolean search() {
        return SEARCH.equalsIgnoreCase(command) || (uidCommand() && SEARCH.equalsIgnoreCase(uidSubcommand));
    }

    @Override
    public IdRange[] parseIdRange(ImapSession session) throws DecodingException {
        if (command != null && session != null && nextWordChar() == '$') {
            consume();
            return uidCommand() && !search() ? SavedSearchResult.UIDS : SavedSearchResult.SEQUENCE_NUMBERS;
        }
        return super.parseIdRange(session);
    }

    @Override
    public UidRange[] parseUidRange() throws DecodingException {
        if (command != null && search() && nextWordChar() == '$') {
            consume();
            return SavedSearchResult.UID_KEY;
        }
        return super.parseUidRange();
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
