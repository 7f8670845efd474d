package com.diegonmarcos.mailpack.it.peers;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * clamd from Debian's {@code clamav-daemon} as a child of the test JVM, on a free 127.0.0.1 TCP port
 * and a unix socket, with one custom signature database instead of the official ones (freshclam
 * cannot run here): a {@code .ndb} body signature for the EICAR test string, which clamd matches raw,
 * base64 in a MIME part and inside archives. {@code StreamMaxLength} is small (1 MB by default) so
 * tests can go past it. {@link #stop()} / {@link #start()} keep the port.
 */
public final class TestClamd implements BeforeAllCallback, AfterAllCallback {
    public static final String CLAMD = "/usr/sbin/clamd";
    /** The EICAR test file (68 bytes); clamd names it {@code Eicar-Test-Signature.UNOFFICIAL} here. */
    public static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    public static final String SIGNATURE = "Eicar-Test-Signature";

    private final String streamMaxLength;
    private Path directory;
    private int port;
    private Process process;
    private ExtensionContext owner;

    private TestClamd(String streamMaxLength) {
        this.streamMaxLength = streamMaxLength;
        try {
            port = Peers.freeTcpPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static TestClamd create() {
        return new TestClamd("1M");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (owner != null) {
            return;
        }
        owner = context;
        Peers.require(CLAMD, "clamav-daemon");
        directory = Files.createTempDirectory("mailpack-clamd");
        Path database = directory.resolve("db");
        Files.createDirectories(database);
        String hex = HexFormat.of().formatHex("EICAR-STANDARD-ANTIVIRUS-TEST-FILE".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(database.resolve("mailpack-test.ndb"), SIGNATURE + ":0:*:" + hex + "\n");
        Files.writeString(directory.resolve("clamd.conf"), String.join("\n", List.of(
            "Foreground yes",
            "TCPSocket " + port,
            "TCPAddr 127.0.0.1",
            "LocalSocket " + socket(),
            "DatabaseDirectory " + database,
            "LogFile " + directory.resolve("clamd.log"),
            "PidFile " + directory.resolve("clamd.pid"),
            "StreamMaxLength " + streamMaxLength,
            "MaxThreads 4",
            "")));
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (context != owner) {
            return;
        }
        stop();
        FileUtils.deleteQuietly(directory.toFile());
    }

    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = new ProcessBuilder(CLAMD, "-c", directory.resolve("clamd.conf").toString()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("clamd.out").toFile()))
            .start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("clamd exited with " + process.exitValue() + ": " + log());
            }
            return "PONG".equals(command("zPING"));
        });
    }

    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        Peers.terminate(process);
        process = null;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as MAILPACK_CLAMD_ADDRESS takes it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public Path socket() {
        return directory.resolve("clamd.sock");
    }

    private String command(String command) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\0").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).replace("\0", "").trim();
        } catch (IOException e) {
            return e.toString();
        }
    }

    public String log() {
        try {
            Path out = directory.resolve("clamd.out");
            return Files.exists(out) ? Files.readString(out) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

}
