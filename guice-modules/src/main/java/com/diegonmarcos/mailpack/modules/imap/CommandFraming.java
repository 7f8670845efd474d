package com.diegonmarcos.mailpack.modules.imap;

import io.netty.buffer.ByteBuf;

/**
 * The framing of one IMAP command as far as it has arrived: its lines and the literals they announce
 * ({@code {N}} or the non-synchronizing {@code {N+}} at the end of a line, RFC 3501 §4.3, RFC 7888), and
 * whether it stays within {@link Limits}. Nothing else of the command is parsed; literal data is skipped by
 * its announced length, so a literal's content can never be taken for a command.
 *
 * <p>Stateless: it reads from the buffer's reader index, the first byte of the command James' decoder is
 * about to decode, every time more data arrives. The verdict is therefore about exactly the bytes James
 * would read next, whatever state James' own decoder is in.
 */
final class CommandFraming {
    /** Longest tag echoed back in a refusal; anything else is answered untagged ({@code *}). */
    private static final int MAX_TAG = 64;
    /** More digits than this cannot be a size this server accepts (and would overflow a long). */
    private static final int MAX_DIGITS = 18;

    /**
     * @param commandBytes the whole command, lines and literals together
     * @param lineBytes one line (up to and including its LF, or the unterminated tail)
     * @param literalBytes all the literals of the command together
     * @param literals how many literals one command may carry
     */
    record Limits(long commandBytes, int lineBytes, long literalBytes, int literals) {
    }

    enum Outcome { WITHIN, LITERAL_TOO_LARGE, LINE_TOO_LONG, TOO_MANY_LITERALS }

    /**
     * @param tag the command's tag, or {@code *} when it has none a response could echo
     * @param literalSize the announced size of the refused literal ({@link Outcome#LITERAL_TOO_LARGE})
     * @param synchronizing the refused literal is {@code {N}}: the client waits for "+" before sending it
     * @param resumeAt the index just after the line announcing the refused literal
     * @param awaitedLiteral within limits: the ordinal (1 for the first) of a synchronizing literal that is
     *     announced and of which no byte has arrived (the client waits for "+"); 0 when there is none
     */
    record Verdict(Outcome outcome, String tag, long literalSize, boolean synchronizing, int resumeAt, int awaitedLiteral) {
        static final Verdict WITHIN = within(0);

        static Verdict within(int awaitedLiteral) {
            return new Verdict(Outcome.WITHIN, "*", 0, false, -1, awaitedLiteral);
        }
    }

    private CommandFraming() {
    }

    static Verdict scan(ByteBuf in, Limits limits) {
        int end = in.writerIndex();
        int position = in.readerIndex();
        long commandTotal = 0;
        long literalTotal = 0;
        int literals = 0;
        while (true) {
            int lf = in.indexOf(position, end, (byte) '\n');
            int lineEnd = lf < 0 ? end : lf + 1;
            long lineLength = lineEnd - position;
            if (lineLength > limits.lineBytes() || commandTotal + lineLength > limits.commandBytes()) {
                return refusal(in, Outcome.LINE_TOO_LONG, 0, false, -1);
            }
            if (lf < 0) {
                return Verdict.WITHIN; // the rest of the line is still on its way
            }
            commandTotal += lineLength;
            long size = announcedLiteral(in, position, lf);
            if (size < 0) {
                return Verdict.WITHIN; // a complete command
            }
            boolean synchronizing = in.getByte(endOfLine(in, position, lf) - 2) != '+';
            literals++;
            literalTotal = saturatedAdd(literalTotal, size);
            if (literals > limits.literals()) {
                return refusal(in, Outcome.TOO_MANY_LITERALS, size, synchronizing, lf + 1);
            }
            if (literalTotal > limits.literalBytes() || saturatedAdd(commandTotal, size) > limits.commandBytes()) {
                return refusal(in, Outcome.LITERAL_TOO_LARGE, size, synchronizing, lf + 1);
            }
            commandTotal += size;
            long next = lf + 1L + size;
            boolean nothingYet = lf + 1 == end;
            if (next > end || nothingYet) {
                // the literal's data is still on its way (a synchronizing one: once the client is invited)
                return Verdict.within(synchronizing && nothingYet ? literals : 0);
            }
            position = (int) next;
        }
    }

    /** The size a line announces ({@code ...{N}CRLF} or {@code ...{N+}CRLF}; a bare LF too, as James accepts), or -1. */
    static long announcedLiteral(ByteBuf in, int start, int lf) {
        int last = endOfLine(in, start, lf) - 1;
        if (last < start || in.getByte(last) != '}') {
            return -1;
        }
        int digitsEnd = last;
        if (digitsEnd - 1 >= start && in.getByte(digitsEnd - 1) == '+') {
            digitsEnd--;
        }
        int digitsStart = digitsEnd;
        while (digitsStart - 1 >= start && isDigit(in.getByte(digitsStart - 1))) {
            digitsStart--;
        }
        if (digitsStart == digitsEnd || digitsStart - 1 < start || in.getByte(digitsStart - 1) != '{') {
            return -1;
        }
        if (digitsEnd - digitsStart > MAX_DIGITS) {
            return Long.MAX_VALUE;
        }
        long size = 0;
        for (int i = digitsStart; i < digitsEnd; i++) {
            size = size * 10 + (in.getByte(i) - '0');
        }
        return size;
    }

    /** The index just past the line's content: its CR when it ends in CRLF, else its LF. */
    private static int endOfLine(ByteBuf in, int start, int lf) {
        return lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    }

    private static Verdict refusal(ByteBuf in, Outcome outcome, long size, boolean synchronizing, int resumeAt) {
        return new Verdict(outcome, tag(in), size, synchronizing, resumeAt, 0);
    }

    /** The first word of the command when it is a valid tag (RFC 3501 §9: ASTRING-CHAR except "+"), else "*". */
    static String tag(ByteBuf in) {
        int start = in.readerIndex();
        int end = Math.min(in.writerIndex(), start + MAX_TAG + 1);
        StringBuilder tag = new StringBuilder();
        for (int i = start; i < end; i++) {
            byte b = in.getByte(i);
            if (b == ' ') {
                return tag.length() == 0 ? "*" : tag.toString();
            }
            if (!isTagChar(b)) {
                return "*";
            }
            tag.append((char) b);
        }
        return "*";
    }

    private static boolean isTagChar(byte b) {
        return b > 0x20 && b < 0x7f && "(){%*\"\\+".indexOf(b) < 0;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
