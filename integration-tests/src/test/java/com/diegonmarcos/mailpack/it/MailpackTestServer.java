package com.diegonmarcos.mailpack.it;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.io.FileUtils;
import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.diegonmarcos.mailpack.it.peers.Peers;
import com.diegonmarcos.mailpack.it.peers.TestDns;
import com.diegonmarcos.mailpack.server.MailpackServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs the packaged mailpack server for a test class: the shipped {@code conf/} copied into a temp
 * working directory, plus a per-test overlay of whole files, on free loopback ports.
 *
 * <p>Two modes: {@link Mode#IN_PROCESS} (fast; {@link MailpackServer#create} in this JVM) and
 * {@link Mode#PROCESS} (the packaged jar in its own JVM, as an operator runs it: for restarts,
 * SIGKILL and JVM-level settings). Register with {@code @RegisterExtension static}.
 */
public final class MailpackTestServer implements BeforeAllCallback, AfterAllCallback {
    public enum Mode { IN_PROCESS, PROCESS }

    public static final String DOMAIN = "diegonmarcos.com";
    private static final Path SHIPPED_CONF = Path.of(System.getProperty("mailpack.conf", "../conf"));
    private static final Path SERVER_JAR = Path.of(System.getProperty("mailpack.server.jar", "../guice-modules/target/mailpack-server.jar"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Mode mode;
    private final Map<String, String> overlay = new LinkedHashMap<>();
    private final Map<String, String> variables = new HashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<com.google.inject.Module> bindingOverrides = new ArrayList<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private Path home;
    private GuiceJamesServer inProcess;
    private Process process;
    private boolean autoStart = true;
    private ExtensionContext owner;

    private MailpackTestServer(Mode mode) {
        this.mode = mode;
    }

    public static MailpackTestServer inProcess() {
        return new MailpackTestServer(Mode.IN_PROCESS);
    }

    public static MailpackTestServer process() {
        return new MailpackTestServer(Mode.PROCESS);
    }

    /** Replaces (or adds) {@code conf/<fileName>} with {@code content}. */
    public MailpackTestServer overlay(String fileName, String content) {
        overlay.put(fileName, content);
        return this;
    }

    /**
     * The shipped mailetcontainer.xml with RemoteDelivery sending everything to a local SMTP server
     * (a test sink) instead of the recipients' MX hosts.
     */
    public MailpackTestServer remoteDeliveryThrough(int gatewayPort) {
        String shipped = shippedConf("mailetcontainer.xml");
        String relayed = shipped.replace("<outgoingQueue>outgoing</outgoingQueue>",
            "<outgoingQueue>outgoing</outgoingQueue>\n                <gateway>127.0.0.1</gateway>\n"
                + "                <gatewayPort>" + gatewayPort + "</gatewayPort>");
        if (relayed.equals(shipped)) {
            throw new IllegalStateException("conf/mailetcontainer.xml has no RemoteDelivery <outgoingQueue> to attach a gateway to");
        }
        return overlay("mailetcontainer.xml", relayed);
    }

    /**
     * The shipped conf/ratelimits.xml with the port-25 limits (connections, messages per address, messages
     * per recipient) switched off, for tests that deliver more than 30 messages a minute from 127.0.0.1.
     */
    public MailpackTestServer withoutInboundRateLimits() {
        String shipped = shippedConf("ratelimits.xml");
        int start = shipped.indexOf("<inbound>");
        int end = shipped.indexOf("</inbound>");
        if (start < 0 || end < start) {
            throw new IllegalStateException("conf/ratelimits.xml has no <inbound> element");
        }
        String inbound = shipped.substring(start, end).replaceAll("per(Minute|Hour|Day)=\"\\d+\"", "per$1=\"0\"");
        return overlay("ratelimits.xml", shipped.substring(0, start) + inbound + shipped.substring(end));
    }

    public MailpackTestServer variable(String name, String value) {
        variables.put(name, value);
        return this;
    }

    /** Guice bindings that win over the server's (in-process only), e.g. a test clock. */
    public MailpackTestServer overrideBindings(com.google.inject.Module module) {
        bindingOverrides.add(module);
        return this;
    }

    public MailpackTestServer jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    /** The test calls {@link #start()} itself (for instance to assert a start-up failure). */
    public MailpackTestServer manualStart() {
        autoStart = false;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (owner != null) {
            return; // a @Nested class: the enclosing class's server serves it
        }
        owner = context;
        prepare();
        if (autoStart) {
            start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (context != owner) {
            return;
        }
        stop();
        if (home != null) {
            // kept for whoever reads a failed run: target/it-logs/<test class>-process.log
            Path log = home.resolve("process.log");
            if (Files.exists(log)) {
                Path kept = Path.of("target", "it-logs", context.getRequiredTestClass().getSimpleName() + "-process.log");
                Files.createDirectories(kept.getParent());
                Files.copy(log, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            FileUtils.deleteQuietly(home.toFile());
        }
    }

    /** Creates the working directory and picks the ports; the same ones are kept across restarts. */
    public void prepare() throws IOException {
        home = Files.createTempDirectory("mailpack-it");
        Path conf = home.resolve("conf");
        FileUtils.copyDirectory(SHIPPED_CONF.toFile(), conf.toFile());
        for (Map.Entry<String, String> file : overlay.entrySet()) {
            Files.writeString(conf.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
        for (String name : List.of("SMTP", "SUBMISSION", "SMTPS", "IMAP", "IMAPS", "POP3S", "WEBADMIN")) {
            ports.put(name, Peers.freeTcpPort());
        }
    }

    /** Rewrites one conf file between runs, or before a {@link #manualStart()} server starts. */
    public void rewriteConf(String fileName, String content) throws IOException {
        Files.writeString(home.resolve("conf").resolve(fileName), content, StandardCharsets.UTF_8);
    }

    public static String shippedConf(String fileName) {
        try {
            return Files.readString(SHIPPED_CONF.resolve(fileName), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> allVariables() {
        Map<String, String> all = new HashMap<>();
        all.put("MAILPACK_BIND_ADDRESS", "127.0.0.1");
        ports.forEach((name, port) -> all.put("MAILPACK_" + name + "_PORT", String.valueOf(port)));
        all.putAll(variables);
        return all;
    }

    public void start() throws Exception {
        if (mode == Mode.IN_PROCESS) {
            inProcess = MailpackServer.create(home.toFile(), allVariables(), bindingOverrides);
            inProcess.start();
        } else {
            if (!bindingOverrides.isEmpty()) {
                throw new IllegalStateException("binding overrides need an in-process server");
            }
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-Dworking.directory=" + home, "-Dlogback.configurationFile=" + home.resolve("conf/logback.xml"),
                "-cp", SERVER_JAR.toAbsolutePath() + File.pathSeparator + System.getProperty("mailpack.test.classes", "target/test-classes"),
                "com.diegonmarcos.mailpack.server.MailpackServerMain", "--home", home.toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("process.log").toFile()));
            builder.environment().putAll(allVariables());
            int logOffset = processLog().length(); // the log is appended to across restarts
            process = builder.start();
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("mailpack exited with " + process.exitValue() + ":\n" + processLog());
                    }
                    return processLog().substring(logOffset).contains("mailpack is running");
                });
        }
    }

    /** Starts a server whose configuration is wrong: the start must fail with all {@code fragments} in the message. */
    public void assertStartFailsWith(String... fragments) throws Exception {
        if (home == null) {
            prepare();
        }
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(this::start).hasMessageContainingAll(fragments);
        } finally {
            stop();
            FileUtils.deleteQuietly(home.toFile());
        }
    }

    public void stop() throws Exception {
        if (inProcess != null) {
            inProcess.stop();
            inProcess = null;
        }
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    /** SIGKILL: no shutdown hook, no flush, like a power cut of the JVM. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        process = null;
    }

    /** Whether the {@link #process()} server's JVM is running. */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Waits for the {@link #process()} server's JVM to end by itself; returns its exit value. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (process == null) {
            throw new IllegalStateException("no process() server was started");
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("mailpack still runs after " + timeout);
        }
        int exit = process.exitValue();
        process = null;
        return exit;
    }

    public void restart() throws Exception {
        stop();
        start();
    }

    /** The ports this server was configured to listen on (SMTP, submission, SMTPS, IMAP, IMAPS, POP3S, webadmin). */
    public java.util.Set<Integer> configuredPorts() {
        return java.util.Set.copyOf(ports.values());
    }

    /** The process id of a {@link #process()} server. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("only a running process() server has a pid");
        }
        return process.pid();
    }

    public String processLog() throws IOException {
        Path log = home.resolve("process.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    public Path home() {
        return home;
    }

    public int smtpPort() {
        return ports.get("SMTP");
    }

    public int submissionPort() {
        return ports.get("SUBMISSION");
    }

    public int smtpsPort() {
        return ports.get("SMTPS");
    }

    public int imapPort() {
        return ports.get("IMAP");
    }

    public int imapsPort() {
        return ports.get("IMAPS");
    }

    public int pop3sPort() {
        return ports.get("POP3S");
    }

    public String webAdminUrl() {
        return "http://127.0.0.1:" + ports.get("WEBADMIN");
    }

    public String adminToken() throws IOException {
        return Files.readString(home.resolve("var/webadmin/admin.token"), StandardCharsets.US_ASCII).trim();
    }

    public Path certificate() {
        return home.resolve("var/tls/self-signed-cert.pem");
    }

    /** A webadmin call with the admin token; returns the response. */
    public HttpResponse<String> webAdmin(String method, String path, String jsonBody) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(webAdminUrl() + path))
            .header("Authorization", "Bearer " + adminToken())
            .timeout(Duration.ofSeconds(30))
            .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Publishes every DKIM record the server asks for (webadmin {@code GET /dkim/DOMAIN/records}) as a
     * TXT record of {@code dns}; returns them by name.
     */
    public Map<String, String> publishDkimRecords(TestDns dns) throws IOException, InterruptedException {
        HttpResponse<String> records = webAdmin("GET", "/dkim/" + DOMAIN + "/records?format=json", null);
        if (records.statusCode() != 200) {
            throw new IllegalStateException("GET /dkim/" + DOMAIN + "/records answered " + records.statusCode() + ": " + records.body());
        }
        Map<String, String> published = new LinkedHashMap<>();
        for (JsonNode key : new ObjectMapper().readTree(records.body())) {
            String name = key.get("name").asText() + "." + DOMAIN;
            dns.txt(name, key.get("value").asText());
            published.put(name, key.get("value").asText());
        }
        return published;
    }

    public void createUser(String address, String password) throws IOException, InterruptedException {
        HttpResponse<String> response = webAdmin("PUT", "/users/" + address, "{\"password\":\"" + password + "\"}");
        if (response.statusCode() != 204) {
            throw new IllegalStateException("creating " + address + ": " + response.statusCode() + " " + response.body());
        }
    }

    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
