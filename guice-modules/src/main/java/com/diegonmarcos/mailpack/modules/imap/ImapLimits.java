package com.diegonmarcos.mailpack.modules.imap;

/**
 * The limits one IMAP listener applies to a command, before and after the client has authenticated.
 *
 * @param unauthenticated before LOGIN/AUTHENTICATE succeeded: the whole command small (CVE-2024-37358)
 * @param authenticated after it: literals up to the message size limit, lines up to {@code maxLineLength}
 */
record ImapLimits(CommandFraming.Limits unauthenticated, CommandFraming.Limits authenticated) {
    /** Before authentication a command, its literals included, has at most this many bytes (8 KiB). */
    static final int UNAUTHENTICATED_COMMAND_BYTES = 8192;
    /** Literals one command may carry; a legitimate one has a few (APPEND one, LOGIN two, SEARCH some). */
    static final int LITERALS_PER_COMMAND = 64;

    static ImapLimits of(long literalBytes, int maxLineLength) {
        return new ImapLimits(
            new CommandFraming.Limits(UNAUTHENTICATED_COMMAND_BYTES, UNAUTHENTICATED_COMMAND_BYTES, UNAUTHENTICATED_COMMAND_BYTES, LITERALS_PER_COMMAND),
            new CommandFraming.Limits(Long.MAX_VALUE, maxLineLength, literalBytes, LITERALS_PER_COMMAND));
    }
}
