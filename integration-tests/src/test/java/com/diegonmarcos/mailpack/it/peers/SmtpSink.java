package com.diegonmarcos.mailpack.it.peers;

import org.awaitility.Awaitility;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The "remote" mail server of a test: a minimal SMTP server on 127.0.0.1:&lt;free port&gt; that
 * accepts everything and keeps each message exactly as received (dot-stuffing undone), so a test
 * can look at what RemoteDelivery really sent. It does not announce 8BITMIME: RemoteDelivery must
 * then downgrade 8bit content, as it would for an old server. Recipients whose local part starts
 * with {@code reject} get {@code 550 5.1.1} (to make RemoteDelivery bounce).
 */
public final class SmtpSink implements BeforeAllCallback, AfterAllCallback {
    /** One received message. */
    public record Received(String sender, List<String> recipients, byte[] data) {
        public String text() {
            return new String(data, StandardCharsets.ISO_8859_1);
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "smtp-sink");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private ExtensionContext owner;

    private SmtpSink() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public static SmtpSink create() {
        try {
            return new SmtpSink();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (owner != null) {
            return;
        }
        owner = context;
        threads.submit(this::acceptLoop);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (context == owner) {
            server.close();
            threads.shutdownNow();
        }
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits for a message whose text matches, and returns it. */
    public Received await(Predicate<String> text) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
            .until(() -> received.stream().anyMatch(message -> text.test(message.text())));
        return received.stream().filter(message -> text.test(message.text())).findFirst().orElseThrow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.submit(() -> session(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream()); OutputStream out = socket.getOutputStream()) {
            socket.setSoTimeout(60_000);
            reply(out, "220 sink.test ESMTP");
            String sender = null;
            List<String> recipients = new ArrayList<>();
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line.toUpperCase(Locale.ROOT);
                switch (command) {
                    case "EHLO":
                        reply(out, "250-sink.test\r\n250-SIZE 104857600\r\n250 PIPELINING");
                        break;
                    case "HELO":
                        reply(out, "250 sink.test");
                        break;
                    case "MAIL":
                        sender = line.substring(line.indexOf(':') + 1).trim();
                        recipients = new ArrayList<>();
                        reply(out, "250 2.1.0 ok");
                        break;
                    case "RCPT":
                        String recipient = line.substring(line.indexOf(':') + 1).trim();
                        if (recipient.startsWith("<reject")) {
                            reply(out, "550 5.1.1 no such user here");
                        } else {
                            recipients.add(recipient);
                            reply(out, "250 2.1.5 ok");
                        }
                        break;
                    case "DATA":
                        reply(out, "354 go ahead");
                        received.add(new Received(sender, List.copyOf(recipients), readData(in)));
                        reply(out, "250 2.0.0 queued");
                        break;
                    case "QUIT":
                        reply(out, "221 2.0.0 bye");
                        return;
                    default:
                        reply(out, "250 ok");
                        break;
                }
            }
        } catch (SocketException e) {
            // client went away
        } catch (IOException e) {
            // a broken session: the test sees the missing message
        }
    }

    /** The DATA content up to the lone dot, with CRLF line ends and dot-stuffing undone. */
    private static byte[] readData(InputStream in) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in);
            if (line == null || line.equals(".")) {
                return data.toByteArray();
            }
            if (line.startsWith(".")) {
                line = line.substring(1);
            }
            data.write(line.getBytes(StandardCharsets.ISO_8859_1));
            data.write('\r');
            data.write('\n');
        }
    }

    /** One line without its CRLF (octets kept as ISO-8859-1 chars); null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 && previous < 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n' && previous == '\r') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            previous = b;
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
