package com.diegonmarcos.mailpack.it.peers;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throw-away {@code redis-server} from Debian's package, as a child of the test JVM: 127.0.0.1 on a
 * free port, no persistence, its own directory. {@link #stop()} and {@link #start()} let a test see
 * what the server does while Redis is down (same port after a restart). Register with
 * {@code @RegisterExtension static}; a missing binary fails the test with the install command.
 */
public final class TestRedis implements BeforeAllCallback, AfterAllCallback {
    private static final String SERVER = "/usr/bin/redis-server";
    private static final String CLI = "/usr/bin/redis-cli";
    private static final String PACKAGE = "redis-server";

    private Path directory;
    private int port;
    private Process process;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Peers.require(SERVER, PACKAGE);
        Peers.require(CLI, PACKAGE);
        directory = Files.createTempDirectory("mailpack-redis");
        port = Peers.freeTcpPort();
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
        if (directory != null) {
            FileUtils.deleteQuietly(directory.toFile());
        }
    }

    /** Starts the server (again, on the same port) and waits until it answers PING. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(SERVER,
            "--bind", "127.0.0.1", "--port", String.valueOf(port), "--dir", directory.toString(),
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
            "--logfile", directory.resolve("redis.log").toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis.out").toFile()))
            .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + log());
            }
            return "PONG".equals(cli("PING").trim());
        });
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s); {@link #start()} brings it back. */
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

    /** The Lettuce URI of this server, e.g. {@code redis://127.0.0.1:40123}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Whether something accepts connections on the port now. */
    public boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code redis-cli} against this server and returns what it printed. */
    public String cli(String... arguments) {
        List<String> command = new ArrayList<>(List.of(CLI, "-h", "127.0.0.1", "-p", String.valueOf(port)));
        command.addAll(List.of(arguments));
        return Peers.run(command, null, 30).output();
    }

    /** Drops every key: a clean slate between tests sharing this server. */
    public void flushAll() {
        cli("FLUSHALL");
    }

    private String log() {
        try {
            File out = directory.resolve("redis.out").toFile();
            return out.exists() ? Files.readString(out.toPath()) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

}
