package com.diegonmarcos.mailpack.clamav;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A clamd client: one connection per scan ({@code zINSTREAM}: 4-byte big-endian chunk lengths, a
 * zero-length chunk ends the stream, the reply ends with NUL). Works over TCP and unix sockets with
 * the same code (NIO {@link SocketChannel}); the whole exchange is bounded by {@code timeout} (the
 * channel is closed when it runs out, which unblocks any read or write).
 */
public final class ClamdClient {
    static final int CHUNK = 64 * 1024;
    private static final int MAX_REPLY = 4096;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "clamd-timeouts");
        thread.setDaemon(true);
        return thread;
    });

    private final SocketAddress address;
    private final Duration timeout;

    public ClamdClient(SocketAddress address, Duration timeout) {
        this.address = address;
        this.timeout = timeout;
    }

    /**
     * @param spec {@code host:port} (TCP) or {@code unix:/path/to/clamd.ctl}
     */
    public static SocketAddress parseAddress(String spec) {
        String value = spec.trim();
        if (value.startsWith("unix:")) {
            String path = value.substring("unix:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("clamd address '" + spec + "': unix: needs a socket path");
            }
            return UnixDomainSocketAddress.of(Path.of(path));
        }
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("clamd address '" + spec + "': expected host:port or unix:/path");
        }
        String host = value.substring(0, colon).replaceAll("^\\[|\\]$", "");
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("clamd address '" + spec + "': port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("clamd address '" + spec + "': port out of range");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    public SocketAddress address() {
        return address;
    }

    /** Streams {@code content} to clamd and returns its verdict; any other answer is an IOException. */
    public ClamdResult scan(InputStream content) throws IOException {
        String reply = exchange(channel -> {
            OutputStream out = Channels.newOutputStream(channel);
            out.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[CHUNK];
            int read;
            while ((read = content.readNBytes(chunk, 0, chunk.length)) > 0) {
                out.write(ByteBuffer.allocate(4).putInt(read).array());
                out.write(chunk, 0, read);
            }
            out.write(new byte[4]);
            out.flush();
        });
        return parse(reply);
    }

    /** {@code zPING}: clamd answers PONG. */
    public void ping() throws IOException {
        String reply = exchange(channel -> Channels.newOutputStream(channel).write("zPING\0".getBytes(StandardCharsets.US_ASCII)));
        if (!"PONG".equals(reply)) {
            throw new IOException("clamd at " + address + " answered PING with '" + reply + "'");
        }
    }

    static ClamdResult parse(String reply) throws IOException {
        // "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        if (reply.endsWith("size limit exceeded. ERROR")) {
            return ClamdResult.tooLarge();
        }
        String verdict = reply.startsWith("stream: ") ? reply.substring("stream: ".length()) : reply;
        if (verdict.equals("OK")) {
            return ClamdResult.clean();
        }
        if (verdict.endsWith(" FOUND")) {
            return ClamdResult.infected(verdict.substring(0, verdict.length() - " FOUND".length()).trim());
        }
        throw new IOException("clamd answered '" + reply + "'");
    }

    private interface Request {
        void write(SocketChannel channel) throws IOException;
    }

    private String exchange(Request request) throws IOException {
        SocketAddress target = address instanceof InetSocketAddress inet && inet.isUnresolved()
            ? new InetSocketAddress(inet.getHostString(), inet.getPort()) : address;
        SocketChannel channel = SocketChannel.open(target instanceof UnixDomainSocketAddress
            ? StandardProtocolFamily.UNIX : (((InetSocketAddress) target).getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET));
        java.util.concurrent.atomic.AtomicBoolean expired = new java.util.concurrent.atomic.AtomicBoolean();
        ScheduledFuture<?> deadline = WATCHDOG.schedule(() -> {
            expired.set(true);
            closeQuietly(channel);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (channel) {
            if (target instanceof InetSocketAddress inet && inet.isUnresolved()) {
                throw new IOException("clamd host " + inet.getHostString() + " does not resolve");
            }
            channel.connect(target);
            try {
                request.write(channel);
            } catch (IOException writeFailed) {
                // clamd stops reading and answers early past its StreamMaxLength: take that answer
                try {
                    return readReply(Channels.newInputStream(channel));
                } catch (IOException noReply) {
                    throw writeFailed;
                }
            }
            return readReply(Channels.newInputStream(channel));
        } catch (IOException e) {
            if (expired.get() || e instanceof java.nio.channels.AsynchronousCloseException) {
                throw new IOException("clamd at " + address + ": no answer within " + timeout, e);
            }
            throw new IOException("clamd at " + address + ": " + e.getMessage(), e);
        } finally {
            deadline.cancel(false);
        }
    }

    /** clamd's reply: the octets up to NUL (or the end), at most {@value #MAX_REPLY}, trimmed. */
    static String readReply(InputStream in) throws IOException {
        byte[] reply = new byte[MAX_REPLY];
        int length = 0;
        int next;
        while ((next = in.read()) != -1 && next != 0) {
            if (length == MAX_REPLY) {
                throw new IOException("reply longer than " + MAX_REPLY + " bytes");
            }
            reply[length++] = (byte) next;
        }
        if (length == 0 && next == -1) {
            throw new IOException("connection closed without a reply");
        }
        return new String(reply, 0, length, StandardCharsets.US_ASCII).trim();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing only to unblock the scan thread
        }
    }
}
