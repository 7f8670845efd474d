package com.diegonmarcos.mailpack.it.peers;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throw-away PostgreSQL server from Debian's package: its own cluster in a temp directory, on
 * 127.0.0.1 and a free port, trust authentication, database {@code mailpack} owned by
 * {@code mailpack}. When run as root the server runs as the {@code postgres} system user (PostgreSQL
 * refuses root). A missing installation fails the test with the install command.
 */
public final class TestPostgres implements BeforeAllCallback, AfterAllCallback {
    public static final String DATABASE = "mailpack";
    public static final String USER = "mailpack";
    private static final String INSTALL_HINT = "PostgreSQL is required: apt-get install postgresql (or run bin/mailpack test)";

    private Path directory;
    private Path bin;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        bin = findBin();
        directory = Files.createTempDirectory("mailpack-pg");
        port = Peers.freeTcpPort();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(List.of("chown", "postgres", directory.toString()), false);
        }
        Path data = directory.resolve("data");
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", USER, "--no-sync"), root);
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", directory.resolve("log").toString(), "-w", "-t", "60",
            "-o", "-k " + directory + " -p " + port + " -h 127.0.0.1 -F", "start"), root);
        await().atMost(Duration.ofSeconds(60)).until(() -> run(List.of(bin.resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port)), false) == 0);
        run(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", USER, DATABASE), false);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (directory != null) {
            boolean root = "root".equals(System.getProperty("user.name"));
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", directory.resolve("data").toString(), "-m", "immediate", "-w", "stop"), root);
            FileUtils.deleteQuietly(directory.toFile());
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    private static Path findBin() {
        File versions = new File("/usr/lib/postgresql");
        File[] installed = versions.listFiles(File::isDirectory);
        if (installed == null || installed.length == 0) {
            throw new IllegalStateException(INSTALL_HINT);
        }
        java.util.Arrays.sort(installed);
        Path bin = installed[installed.length - 1].toPath().resolve("bin");
        if (!Files.isExecutable(bin.resolve("initdb"))) {
            throw new IllegalStateException(INSTALL_HINT);
        }
        return bin;
    }

    private int run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(System.getProperty("java.io.tmpdir"), "mailpack-pg-commands.log")))
            .start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + full);
        }
        return process.exitValue();
    }

}
