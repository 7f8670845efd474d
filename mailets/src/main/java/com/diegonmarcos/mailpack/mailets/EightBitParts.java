package com.diegonmarcos.mailpack.mailets;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

/**
 * Whether a message has a part that James' {@code Converter7Bit} would re-encode: a
 * {@code Content-Transfer-Encoding: 8bit} field anywhere in it. Found by streaming the message once
 * through a line scanner, never holding more than a line's first bytes.
 *
 * <p>The converter walks the MIME tree with {@code getContent()}, which makes James' message wrapper
 * read the whole message into one {@code byte[]} and parse it: three 49 MB submissions signed at once
 * ended the shipped {@code -Xmx256m} JVM (heap dump: 51 MB per message in
 * {@code MimeMessageWrapper.content}). Most mail has no 8bit part (base64 attachments,
 * quoted-printable text), so {@link DkimSign} converts only when this says so.
 */
final class EightBitParts {
    private static final byte[] FIELD = "content-transfer-encoding:".getBytes(StandardCharsets.US_ASCII);
    private static final int KEPT = 64; // enough of a line for the field name and its value

    private EightBitParts() {
    }

    static boolean declared(MimeMessage message) throws MessagingException, IOException {
        Scanner scanner = new Scanner();
        SaveWithoutParsing.writeTo(message, scanner);
        scanner.endLine();
        return scanner.found;
    }

    private static final class Scanner extends OutputStream {
        private final byte[] line = new byte[KEPT];
        private int length;
        private boolean found;

        @Override
        public void write(int b) {
            if (b == '\n') {
                endLine();
            } else if (length < KEPT) {
                line[length++] = (byte) b;
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int count) {
            for (int i = offset; i < offset + count && !found; i++) {
                write(bytes[i]);
            }
        }

        void endLine() {
            if (!found && length >= FIELD.length && startsWithField()) {
                String value = new String(line, FIELD.length, length - FIELD.length, StandardCharsets.ISO_8859_1)
                    .trim().toLowerCase(Locale.ROOT);
                found = value.isEmpty() || value.contains("8bit"); // empty: folded, look no further
            }
            length = 0;
        }

        private boolean startsWithField() {
            for (int i = 0; i < FIELD.length; i++) {
                if (Character.toLowerCase((char) line[i]) != FIELD[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
