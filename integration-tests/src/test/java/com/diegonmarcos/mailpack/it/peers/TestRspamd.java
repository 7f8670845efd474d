package com.diegonmarcos.mailpack.it.peers;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * rspamd from Debian's package as a child of the test JVM: Debian's {@code /etc/rspamd} with our
 * {@code local.d}/{@code override.d} in a temp directory: normal worker and controller on free
 * 127.0.0.1 ports, no proxy, network modules off (no Internet here), DNS sent to the given server
 * (or a dead port: lookups fail), Bayes in the given {@link TestRedis} (or none).
 *
 * <p>The compiled hyperscan caches (the TLD list: 20-30 s on a cold start) are kept in
 * {@value #HS_CACHE} between runs. {@link #stop()} and {@link #start()} keep the ports, so a test can
 * see what the server does while rspamd is down, or put a fake in its place. Register with
 * {@code @RegisterExtension @Order} after the {@link TestRedis} / {@link TestDns} it uses.
 */
public final class TestRspamd implements BeforeAllCallback, AfterAllCallback {
    public static final String RSPAMD = "/usr/bin/rspamd";
    public static final String HS_CACHE = "/var/tmp/mailpack-rspamd-cache";
    public static final String PASSWORD = "mailpack-test";
    private static final List<String> NETWORK_MODULES = List.of("fuzzy_check", "rbl", "phishing", "whitelist", "asn",
        "multimap", "surbl", "emails", "url_redirector", "rspamd_update", "neural", "reputation", "greylist",
        "ratelimit", "history_redis", "replies", "hfilter", "mx_check", "dcc", "external_services", "antivirus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> localFiles = new LinkedHashMap<>();
    private Supplier<String> redis = () -> null;
    private TestRedis bayes;
    private Supplier<String> dns = () -> null;
    private Path directory;
    private int port;
    private int controllerPort;
    private Process process;
    private ExtensionContext owner;

    private TestRspamd() {
        try {
            port = Peers.freeTcpPort();
            controllerPort = Peers.freeTcpPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A server whose ports are chosen now (so they can go into the mail server's variables). */
    public static TestRspamd create() {
        return new TestRspamd();
    }

    /** Bayes (and learning) in this Redis. */
    public TestRspamd redis(TestRedis testRedis) {
        this.redis = () -> "127.0.0.1:" + testRedis.port();
        this.bayes = testRedis;
        return this;
    }

    /** DNS queries to this server ({@code 127.0.0.1:port}) instead of a dead port. */
    public TestRspamd dns(String address) {
        this.dns = () -> address;
        return this;
    }

    /** Adds {@code local.d/<name>} (e.g. a regexp rule with a tuned score). */
    public TestRspamd local(String name, String content) {
        localFiles.put(name, content);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (owner != null) {
            return;
        }
        owner = context;
        Peers.require(RSPAMD, "rspamd");
        directory = Files.createTempDirectory("mailpack-rspamd");
        writeConfig();
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

    private void writeConfig() throws IOException {
        Path local = directory.resolve("local.d");
        Path override = directory.resolve("override.d");
        Files.createDirectories(local);
        Files.createDirectories(override);
        Files.createDirectories(directory.resolve("db"));
        Files.createDirectories(directory.resolve("run"));
        Files.createDirectories(Path.of(HS_CACHE));
        for (String module : NETWORK_MODULES) {
            Files.writeString(local.resolve(module + ".conf"), "enabled = false;\n");
        }
        String nameserver = dns.get() != null ? dns.get() : "127.0.0.1:" + Peers.freeTcpPort();
        Files.writeString(local.resolve("options.inc"), "hs_cache_dir = \"" + HS_CACHE + "/\";\n"
            + "dns { nameserver = [\"" + nameserver + "\"]; timeout = 0.3s; retransmits = 1; }\n");
        if (redis.get() != null) {
            Files.writeString(local.resolve("redis.conf"), "servers = \"" + redis.get() + "\";\n");
        }
        Files.writeString(override.resolve("worker-normal.inc"), "bind_socket = \"127.0.0.1:" + port + "\";\ncount = 1;\n");
        Files.writeString(override.resolve("worker-controller.inc"), "bind_socket = \"127.0.0.1:" + controllerPort + "\";\n"
            + "password = \"" + PASSWORD + "\";\nenable_password = \"" + PASSWORD + "\";\nsecure_ip = \"192.0.2.254\";\n");
        Files.writeString(override.resolve("worker-proxy.inc"), "count = -1;\n");
        Files.writeString(override.resolve("logging.inc"), "type = \"file\";\nfilename = \"" + directory.resolve("rspamd.log") + "\";\nlevel = \"info\";\n");
        for (Map.Entry<String, String> file : localFiles.entrySet()) {
            Files.writeString(local.resolve(file.getKey()), file.getValue());
        }
    }

    /** Starts rspamd (again, same ports) and waits until both workers answer (up to 90 s on a cold cache). */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(RSPAMD, "-f", "-c", "/etc/rspamd/rspamd.conf",
            "--var", "LOCAL_CONFDIR=" + directory, "--var", "DBDIR=" + directory.resolve("db"),
            "--var", "RUNDIR=" + directory.resolve("run"), "--var", "LOGDIR=" + directory));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-i", "-u", "root", "-g", "root"));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("rspamd.out").toFile()))
            .start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("rspamd exited with " + process.exitValue() + ": " + log());
            }
            return answers(url() + "/ping") && answers(controllerUrl() + "/ping");
        });
    }

    /** SIGTERM, then SIGKILL after 10 s; the ports are free again when this returns. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        Peers.terminateTree(process);
        process = null;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String controllerUrl() {
        return "http://127.0.0.1:" + controllerPort;
    }

    public int port() {
        return port;
    }

    /** The controller's {@code /stat}. */
    public JsonNode stat() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(controllerUrl() + "/stat"))
            .header("Password", PASSWORD).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("rspamd /stat: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Messages learned so far (spam and ham). */
    public long learned() throws IOException, InterruptedException {
        return stat().path("learned").asLong();
    }

    /**
     * Messages Bayes has learned as spam ({@code spam}) or as ham so far, read in its Redis: rspamd keeps the
     * counts in the fields {@code learns_spam} / {@code learns_ham} of the hashes listed in the set
     * {@code BAYES_SPAM_keys} / {@code BAYES_HAM_keys}. A message learned again in the other class moves
     * from one count to the other. (The controller's {@code /stat} shows these figures only after its
     * periodic refresh from Redis, about a minute here, and {@code learned} counts both classes together.)
     */
    public long bayesLearns(boolean spam) {
        if (bayes == null) {
            throw new IllegalStateException("this rspamd has no Redis: no Bayes learning");
        }
        long learns = 0;
        for (String key : bayes.cli("SMEMBERS", spam ? "BAYES_SPAM_keys" : "BAYES_HAM_keys").split("\n")) {
            if (!key.isBlank()) {
                String count = bayes.cli("HGET", key.trim(), spam ? "learns_spam" : "learns_ham").trim();
                learns += count.isEmpty() ? 0 : Long.parseLong(count);
            }
        }
        return learns;
    }

    /** A direct {@code /checkv2}, as a client from {@code ip} (use TEST-NET, e.g. 192.0.2.7: loopback skips checks). */
    public JsonNode check(String message, String ip) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/checkv2"))
            .header("IP", ip).timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(message, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    public String log() {
        try {
            Path out = directory.resolve("rspamd.out");
            Path log = directory.resolve("rspamd.log");
            return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(log) ? tail(Files.readString(log)) : "");
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String tail(String text) {
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    private static boolean answers(String url) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

}
