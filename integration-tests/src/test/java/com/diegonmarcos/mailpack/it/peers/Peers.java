package com.diegonmarcos.mailpack.it.peers;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Local binaries the tests run as real peers: found, or the test fails with the install command. */
public final class Peers {
    public static final String PYTHON = "/usr/bin/python3";

    private Peers() {
    }

    /**
     * @param binary an absolute path
     * @param packages the Debian packages that provide it
     * @return the path, when executable; otherwise the test fails, saying what to install
     */
    public static String require(String binary, String packages) {
        if (!Files.isExecutable(Path.of(binary))) {
            fail(binary + " not found: install it with `apt-get install -y --no-install-recommends " + packages
                + "` (bin/mailpack test installs every package the tests need)");
        }
        return binary;
    }

    /** Python 3 with the given modules importable, or a failure naming the packages. */
    public static String python(String modules, String packages) {
        require(PYTHON, "python3");
        Result check = run(List.of(PYTHON, "-c", "import " + modules), null, 60);
        if (check.exitCode() != 0) {
            fail(PYTHON + " cannot import " + modules + ": install `apt-get install -y --no-install-recommends " + packages
                + "` (bin/mailpack test installs every package the tests need)\n" + check.output());
        }
        return PYTHON;
    }

    /** What a finished command printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output) {
    }

    /** Runs a command to completion (stdin from {@code input} when given), bounded in time. */
    public static Result run(List<String> command, byte[] input, int timeoutSeconds) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            try (var stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input);
                }
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), new String(output.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(command + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A free TCP port on 127.0.0.1, taken below the kernel's ephemeral range: a port the kernel hands out
     * (ServerSocket(0)) can be handed again to any outgoing connection before the server binds it, which
     * made a server start fail with "Address already in use" in CI. Each JVM starts at a random place in
     * the range and walks on, so two test JVMs rarely try the same ports.
     */
    public static synchronized int freeTcpPort() throws IOException {
        for (int tries = 0; tries < PORT_RANGE_SIZE; tries++) {
            int port = PORT_RANGE_START + Math.floorMod(nextPort++, PORT_RANGE_SIZE);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // someone listens there: try the next one
            }
        }
        throw new IOException("no free port in " + PORT_RANGE_START + ".." + (PORT_RANGE_START + PORT_RANGE_SIZE));
    }

    private static final int PORT_RANGE_START = 12000;
    private static final int PORT_RANGE_SIZE = 18000; // up to 30000, below Linux's default ephemeral 32768
    private static int nextPort = new java.util.Random().nextInt(PORT_RANGE_SIZE);

    /** Stops a peer: SIGTERM, then SIGKILL when it is still there after 10 s. */
    public static void terminate(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@link #terminate} of {@code process}, then of every process it had started (PHP's, rspamd's, chromium's workers). */
    public static void terminateTree(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        terminate(process);
        for (ProcessHandle descendant : descendants) {
            descendant.destroyForcibly();
            descendant.onExit().join();
        }
    }

    /** A loopback port free for both TCP and UDP (DNS listens on both). */
    public static int freeTcpAndUdpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freeTcpPort();
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                return port;
            } catch (IOException taken) {
                // UDP side busy: try another
            }
        }
        throw new IOException("no port free for both TCP and UDP on 127.0.0.1");
    }
}
