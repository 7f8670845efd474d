package com.diegonmarcos.mailpack.it.peers;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Debian's Roundcube (1.6) as a child of the test JVM, served by PHP's built-in server on a free
 * 127.0.0.1 port, with a private configuration directory and a private SQLite database in a temp
 * directory: nothing of {@code /etc/roundcube} but the shipped defaults is read, no web server is
 * configured. Debian's Roundcube reads its configuration from {@code $ROUNDCUBE_CONFIG_DIR}
 * (program/include/iniset.php); the upstream {@code RCUBE_CONFIG_PATH} would still read
 * {@code /etc/roundcube/config.inc.php} after ours. The database is created from the shipped
 * schema ({@code SQL/sqlite.initial.sql}) with the sqlite3 command that roundcube-sqlite3 depends on.
 *
 * <p>IMAP goes to the mail server's IMAPS port, SMTP to its submission port with STARTTLS and the
 * user's own login; the self-signed certificate is accepted ({@code verify_peer} off), as an operator
 * does for a webmail next to the server. Roundcube's IMAP and SMTP conversation logs
 * ({@code imap_debug}, {@code smtp_debug}) are kept in {@code target/it-logs/<test class>-roundcube/}.
 * Register with {@code @RegisterExtension @Order} after the server whose ports it is given.
 */
public final class TestRoundcube implements BeforeAllCallback, AfterAllCallback {
    public static final String PACKAGES = "roundcube-core roundcube-sqlite3 php-cli php-sqlite3 php-zip";
    private static final String PHP = "/usr/bin/php";
    private static final String SQLITE = "/usr/bin/sqlite3";
    private static final Path SHARE = Path.of("/usr/share/roundcube");
    private static final Path DEBIAN_CONFIG = Path.of("/etc/roundcube");

    private final IntSupplier imapsPort;
    private final IntSupplier submissionPort;
    private final String productName;
    private Path directory;
    private int port;
    private Process process;
    private ExtensionContext owner;

    private TestRoundcube(IntSupplier imapsPort, IntSupplier submissionPort) {
        this.imapsPort = imapsPort;
        this.submissionPort = submissionPort;
        this.productName = "mailpack test webmail " + Long.toHexString(System.nanoTime());
    }

    /** A Roundcube for the server whose IMAPS and submission ports these give (read when the class starts). */
    public static TestRoundcube forServer(IntSupplier imapsPort, IntSupplier submissionPort) {
        return new TestRoundcube(imapsPort, submissionPort);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (owner != null) {
            return;
        }
        owner = context;
        Peers.require(PHP, PACKAGES);
        Peers.require(SQLITE, "roundcube-sqlite3");
        for (Path shipped : List.of(SHARE.resolve("index.php"), SHARE.resolve("SQL/sqlite.initial.sql"),
                DEBIAN_CONFIG.resolve("defaults.inc.php"))) {
            if (!Files.isReadable(shipped)) {
                fail(shipped + " not found: install `apt-get install -y --no-install-recommends " + PACKAGES
                    + "` (bin/mailpack test installs every package the tests need)");
            }
        }
        Peers.Result extensions = Peers.run(List.of(PHP, "-r",
            "exit(extension_loaded('pdo_sqlite') && extension_loaded('mbstring') && extension_loaded('intl') ? 0 : 1);"), null, 60);
        if (extensions.exitCode() != 0) {
            fail(PHP + " lacks pdo_sqlite, mbstring or intl: install `apt-get install -y --no-install-recommends " + PACKAGES
                + "`\n" + extensions.output());
        }
        directory = Files.createTempDirectory("mailpack-roundcube");
        port = Peers.freeTcpPort();
        writeConfig();
        createDatabase();
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (context != owner) {
            return;
        }
        stop();
        if (directory != null) {
            Path kept = Path.of("target", "it-logs", context.getRequiredTestClass().getSimpleName() + "-roundcube");
            FileUtils.deleteQuietly(kept.toFile());
            FileUtils.copyDirectory(directory.resolve("logs").toFile(), kept.toFile());
            FileUtils.deleteQuietly(directory.toFile());
        }
    }

    private void writeConfig() throws IOException {
        Path config = Files.createDirectories(directory.resolve("config"));
        Files.createDirectories(directory.resolve("temp"));
        Files.createDirectories(directory.resolve("logs"));
        // the package's defaults (read first by Roundcube, from the same directory), then ours
        Files.createSymbolicLink(config.resolve("defaults.inc.php"), DEBIAN_CONFIG.resolve("defaults.inc.php"));
        if (Files.exists(DEBIAN_CONFIG.resolve("mimetypes.php"))) {
            Files.createSymbolicLink(config.resolve("mimetypes.php"), DEBIAN_CONFIG.resolve("mimetypes.php"));
        }
        String noPeerCheck = "['ssl' => ['verify_peer' => false, 'verify_peer_name' => false, 'allow_self_signed' => true]]";
        Files.writeString(config.resolve("config.inc.php"), "<?php\n"
            + "$config = [];\n"
            + "$config['db_dsnw'] = " + php("sqlite:///" + directory.resolve("roundcube.db") + "?mode=0600") + ";\n"
            + "$config['imap_host'] = " + php("ssl://127.0.0.1:" + imapsPort.getAsInt()) + ";\n"
            + "$config['imap_conn_options'] = " + noPeerCheck + ";\n"
            + "$config['smtp_host'] = " + php("tls://127.0.0.1:" + submissionPort.getAsInt()) + ";\n"
            + "$config['smtp_user'] = '%u';\n"
            + "$config['smtp_pass'] = '%p';\n"
            + "$config['smtp_conn_options'] = " + noPeerCheck + ";\n"
            + "$config['temp_dir'] = " + php(directory.resolve("temp") + "/") + ";\n"
            + "$config['log_dir'] = " + php(directory.resolve("logs") + "/") + ";\n"
            + "$config['imap_debug'] = true;\n"
            + "$config['smtp_debug'] = true;\n"
            + "$config['des_key'] = " + php(java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 24)) + ";\n"
            + "$config['product_name'] = " + php(productName) + ";\n"
            + "$config['language'] = 'en_US';\n"
            + "$config['skin'] = 'elastic';\n"
            + "$config['plugins'] = [];\n"
            + "$config['enable_spellcheck'] = false;\n", StandardCharsets.UTF_8);
    }

    private static String php(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private void createDatabase() throws IOException {
        byte[] schema = Files.readAllBytes(SHARE.resolve("SQL/sqlite.initial.sql"));
        Peers.Result created = Peers.run(List.of(SQLITE, "-bail", directory.resolve("roundcube.db").toString()), schema, 60);
        if (created.exitCode() != 0) {
            throw new IllegalStateException("sqlite3 could not load Roundcube's schema: " + created.output());
        }
    }

    /** Starts {@code php -S} and waits until it serves our login page (it caches PHP files: config is read once). */
    private void start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(PHP, "-S", "127.0.0.1:" + port, "-t", SHARE.toString())
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("logs/php-server.log").toFile()));
        builder.environment().put("ROUNDCUBE_CONFIG_DIR", directory.resolve("config").toString());
        // Roundcube loads the message list, the preview and keep-alives at once: more than one worker
        builder.environment().put("PHP_CLI_SERVER_WORKERS", "3");
        process = builder.start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("php -S exited with " + process.exitValue() + ": " + log());
            }
            String page = loginPage();
            if (page != null && page.contains("rcmloginuser") && !page.contains(productName)) {
                throw new IllegalStateException("Roundcube at " + url() + " does not read " + directory.resolve("config")
                    + " (ROUNDCUBE_CONFIG_DIR is Debian's): its login page is not ours");
            }
            return page != null && page.contains("rcmloginuser");
        });
    }

    private String loginPage() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        Peers.terminateTree(process);
        process = null;
    }

    /** The login page, e.g. {@code http://127.0.0.1:23456}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** What Roundcube and PHP logged so far (errors, IMAP and SMTP conversations), the last 8 KB of each. */
    public String log() {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(directory.resolve("logs"))) {
            for (Path file : files.sorted().toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                all.append("== ").append(file.getFileName()).append('\n')
                    .append(text.length() > 8192 ? text.substring(text.length() - 8192) : text);
            }
        } catch (IOException e) {
            all.append(e);
        }
        return all.toString();
    }
}
