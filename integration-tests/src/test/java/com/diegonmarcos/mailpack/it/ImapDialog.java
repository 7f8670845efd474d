package com.diegonmarcos.mailpack.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A raw IMAP client that sends exactly the bytes a test gives it (literals, non-synchronizing literals,
 * garbage) and hands back the server's lines as they come, so tests can assert what a hostile or careless
 * client sees, including "the server closed the connection".
 */
final class ImapDialog implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String greeting;

    private ImapDialog(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(30_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.greeting = readLine();
    }

    /** Plain IMAP (port 143) from 127.0.0.1. */
    static ImapDialog connect(int port) throws IOException {
        return connect(port, "127.0.0.1");
    }

    /** Plain IMAP from a chosen loopback source address (127.0.0.0/8). */
    static ImapDialog connect(int port, String sourceAddress) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(sourceAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return new ImapDialog(socket);
    }

    /** IMAP over implicit TLS (port 993). */
    static ImapDialog connectTls(int port, SSLContext tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        socket.startHandshake();
        return new ImapDialog(socket);
    }

    /**
     * How many messages of {@code user}'s INBOX carry {@code subject}, over IMAPS: headers only
     * ({@code UID FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT)]}), so that it stays quick however big the
     * INBOX has grown.
     */
    static long inboxCountWithSubject(int port, SSLContext tls, String user, String password, String subject) throws IOException {
        try (ImapDialog imap = connectTls(port, tls)) {
            expectOk(imap.command("c1", "LOGIN " + user + " " + password), "c1");
            expectOk(imap.command("c2", "SELECT INBOX"), "c2");
            List<String> lines = imap.command("c3", "UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            expectOk(lines, "c3");
            imap.command("c4", "LOGOUT");
            return lines.stream().filter(line -> line.equals("Subject: " + subject)).count();
        }
    }

    private static void expectOk(List<String> lines, String tag) throws IOException {
        if (lines.isEmpty() || !lines.get(lines.size() - 1).startsWith(tag + " OK")) {
            throw new IOException("unexpected IMAP answer: " + lines);
        }
    }

    String greeting() {
        return greeting;
    }

    void send(String line) throws IOException {
        sendRaw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One line without its CRLF; {@code null} when the server closed the connection. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        if (line.size() > 0) {
            throw new IOException("connection closed in the middle of a line: " + line.toString(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** The lines up to and including the tagged completion of {@code tag}, or up to the server's close. */
    List<String> readUntilTagged(String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = readLine()) != null) {
            lines.add(line);
            if (line.startsWith(tag + " ")) {
                return lines;
            }
        }
        lines.add("<closed>");
        return lines;
    }

    /** Sends a command and returns its response lines (untagged ones, then the tagged completion). */
    List<String> command(String tag, String command) throws IOException {
        send(tag + " " + command);
        return readUntilTagged(tag);
    }

    /** The lines the server sends until it closes the connection ({@code <closed>} last), within the read timeout. */
    List<String> readUntilClosed() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = readLine()) != null) {
            lines.add(line);
        }
        lines.add("<closed>");
        return lines;
    }

    void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
