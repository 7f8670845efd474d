package com.diegonmarcos.mailpack.logging;

import java.util.Optional;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * What went wrong in a TLS exchange with a client, told in one short line: the JDK's reason
 * ({@code (handshake_failure) no cipher suites in common}) or, for bytes that are no TLS record at
 * all, what they look like (a client speaking plaintext on a TLS port).
 *
 * @param handshake whether the handshake failed (else an established session broke)
 * @param reason printable ASCII, at most {@value #MAX_REASON} characters
 */
public record TlsFailure(boolean handshake, String reason) {
    static final int MAX_REASON = 160;
    private static final int MAX_CAUSES = 16;
    /** Enough to tell {@code EHLO}, {@code GET /}, {@code a1 LOGIN} apart; too few to log a password. */
    private static final int MAX_SHOWN_BYTES = 8;
    /** Netty's, matched by name: it is not an SSLException, and mailpack does not compile against Netty. */
    private static final String NOT_SSL_RECORD = "io.netty.handler.ssl.NotSslRecordException";
    private static final String NOT_SSL_RECORD_PREFIX = "not an SSL/TLS record: ";

    /** The TLS failure somewhere in {@code thrown}'s causes, if it is one. */
    public static Optional<TlsFailure> in(Throwable thrown) {
        SSLException innermost = null;
        Throwable cause = thrown;
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            if (cause.getClass().getName().equals(NOT_SSL_RECORD)) {
                return Optional.of(new TlsFailure(true, notTls(cause.getMessage())));
            }
            if (cause instanceof SSLException) {
                innermost = (SSLException) cause;
            }
        }
        if (innermost == null) {
            return Optional.empty();
        }
        boolean handshake = innermost instanceof SSLHandshakeException
            || (thrown != null && chainHas(thrown, SSLHandshakeException.class));
        String message = innermost.getMessage() == null ? innermost.getClass().getSimpleName() : innermost.getMessage();
        return Optional.of(new TlsFailure(handshake, printable(message, MAX_REASON)));
    }

    private static boolean chainHas(Throwable thrown, Class<? extends Throwable> type) {
        Throwable cause = thrown;
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /** Netty's message is the record in hex: show it as text when it is text (a plaintext command). */
    private static String notTls(String message) {
        String hex = message != null && message.startsWith(NOT_SSL_RECORD_PREFIX) ? message.substring(NOT_SSL_RECORD_PREFIX.length()) : "";
        int count = Math.min(hex.length() / 2, MAX_SHOWN_BYTES);
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            int high = Character.digit(hex.charAt(2 * i), 16);
            int low = Character.digit(hex.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0) {
                count = i;
                break;
            }
            bytes[i] = (byte) (high * 16 + low);
        }
        if (count == 0) {
            return "not a TLS record";
        }
        if (bytes[0] >= 0x20 && bytes[0] < 0x7f) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < count; i++) {
                int b = bytes[i] & 0xff;
                text.append(b == '\r' ? "\\r" : b == '\n' ? "\\n" : b >= 0x20 && b < 0x7f && b != '"' ? String.valueOf((char) b) : ".");
            }
            return "not a TLS record, plaintext on a TLS port? \"" + text + (hex.length() / 2 > count ? "\"..." : "\"");
        }
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < count; i++) {
            shown.append(String.format("%02x", bytes[i] & 0xff));
        }
        return "not a TLS record: " + shown + "...";
    }

    /** Control and non-ASCII characters become '.', so a client cannot forge log lines. */
    static String printable(String text, int max) {
        StringBuilder clean = new StringBuilder(Math.min(text.length(), max + 3));
        for (int i = 0; i < text.length() && clean.length() < max; i++) {
            char c = text.charAt(i);
            clean.append(c >= 0x20 && c < 0x7f ? c : '.');
        }
        if (text.length() > max) {
            clean.append("...");
        }
        return clean.toString();
    }
}
