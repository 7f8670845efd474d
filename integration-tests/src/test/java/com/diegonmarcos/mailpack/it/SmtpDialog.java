package com.diegonmarcos.mailpack.it;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A line-by-line SMTP client that hands back the server's exact replies, so tests can assert codes
 * and enhanced status codes ({@code 550 5.7.1 ...}) as a remote client sees them.
 */
public final class SmtpDialog implements Closeable {
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;
    private final String greeting;

    private SmtpDialog(Socket socket) throws IOException {
        use(socket);
        this.greeting = reply();
    }

    public static SmtpDialog connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        return new SmtpDialog(socket);
    }

    /** Implicit TLS (port 465). */
    public static SmtpDialog connectTls(int port, SSLContext tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        socket.startHandshake();
        return new SmtpDialog(socket);
    }

    /** Submission on 587 as {@code user}: EHLO, STARTTLS, EHLO, AUTH PLAIN; fails unless each succeeds. */
    public static SmtpDialog submission(int port, SSLContext tls, String user, String password) throws IOException {
        SmtpDialog smtp = connect(port);
        smtp.send("EHLO client.example");
        expect("220", smtp.startTls(tls));
        smtp.send("EHLO client.example");
        expect("235", smtp.authPlain(user, password));
        return smtp;
    }

    private static void expect(String code, String reply) throws IOException {
        if (!reply.startsWith(code)) {
            throw new IOException("expected " + code + ", got: " + reply);
        }
    }

    private void use(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    public String greeting() {
        return greeting;
    }

    /** Sends one command line and returns the whole (possibly multi-line) reply. */
    public String send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8)); // raw bytes: tests send 8-bit input on purpose
        out.flush();
        return reply();
    }

    public String startTls(SSLContext tls) throws IOException {
        String reply = send("STARTTLS");
        if (reply.startsWith("220")) {
            SSLSocket upgraded = (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
            upgraded.startHandshake();
            use(upgraded);
        }
        return reply;
    }

    public String authPlain(String user, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return send("AUTH PLAIN " + token);
    }

    /** DATA, the message (dot-stuffed), and the final reply. */
    public String data(String message) throws IOException {
        String go = send("DATA");
        if (!go.startsWith("354")) {
            return go;
        }
        StringBuilder body = new StringBuilder();
        for (String line : message.split("\r?\n", -1)) {
            body.append(line.startsWith(".") ? "." + line : line).append("\r\n");
        }
        return send(body + ".");
    }

    private String reply() throws IOException {
        StringBuilder reply = new StringBuilder();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed by server after: " + reply);
            }
            reply.append(reply.length() == 0 ? "" : "\n").append(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return reply.toString();
    }

    @Override
    public void close() throws IOException {
        try {
            send("QUIT");
        } catch (IOException ignored) {
            // the server may already have closed the connection
        } finally {
            socket.close();
        }
    }
}
