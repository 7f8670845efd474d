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
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.apache.commons.io.FileUtils;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Debian's Chromium, headless, driven through chromedriver over the W3C WebDriver protocol
 * (https://www.w3.org/TR/webdriver2/: JSON over HTTP) with the JDK's HTTP client: no Selenium
 * library, none is in the offline Maven repository. One browser session per test class, a fresh
 * profile in a temp directory; chromedriver (and the Chromium it starts) are children of the test JVM.
 *
 * <p>A test that fails leaves a screenshot and the page's HTML in the given directory, and its
 * assertion message names both. The waiting methods poll with Awaitility for {@link #PATIENCE}.
 * Register with {@code @RegisterExtension}.
 */
public final class HeadlessChromium implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler {
    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    public static final String PACKAGES = "chromium chromium-driver";
    public static final Duration PATIENCE = Duration.ofSeconds(30);
    /** The WebDriver key code of Enter (W3C WebDriver, "Keyboard actions"). */
    public static final String ENTER = "\uE007";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Errors of an element that is there but not usable yet (or any more): waiting may cure them. */
    private static final List<String> TRANSIENT = List.of("no such element", "stale element reference",
        "element not interactable", "element click intercepted", "no such frame");

    private final Path failures;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private Path directory;
    private int port;
    private Process driver;
    private String session;
    private ExtensionContext owner;

    private HeadlessChromium(Path failures) {
        this.failures = failures;
    }

    /** A browser whose failed tests leave their screenshot and page source in {@code failures}. */
    public static HeadlessChromium create(Path failures) {
        return new HeadlessChromium(failures);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (owner != null) {
            return;
        }
        owner = context;
        Peers.require(CHROMIUM, PACKAGES);
        Peers.require(CHROMEDRIVER, "chromium-driver");
        directory = Files.createTempDirectory("mailpack-chromium");
        port = Peers.freeTcpPort();
        driver = new ProcessBuilder(CHROMEDRIVER, "--port=" + port, "--log-path=" + directory.resolve("chromedriver.log"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("chromedriver.out").toFile()))
            .start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!driver.isAlive()) {
                throw new IllegalStateException("chromedriver exited with " + driver.exitValue() + ": "
                    + Files.readString(directory.resolve("chromedriver.out")));
            }
            try {
                return send("GET", "/status", null).path("value").path("ready").asBoolean();
            } catch (IOException notYet) {
                return false;
            }
        });
        ObjectNode options = JSON.createObjectNode().put("binary", CHROMIUM);
        options.putArray("args").add("--headless=new").add("--no-sandbox").add("--disable-gpu").add("--disable-dev-shm-usage")
            .add("--window-size=1280,900").add("--lang=en-US").add("--user-data-dir=" + directory.resolve("profile"));
        ObjectNode capabilities = JSON.createObjectNode();
        capabilities.putObject("capabilities").putObject("alwaysMatch").put("browserName", "chrome")
            .put("unhandledPromptBehavior", "accept").set("goog:chromeOptions", options);
        session = send("POST", "/session", capabilities).path("value").path("sessionId").asText();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (context != owner) {
            return;
        }
        try {
            if (session != null) {
                send("DELETE", "/session/" + session, null);
            }
        } finally {
            if (driver != null) {
                Peers.terminateTree(driver);
            }
            FileUtils.deleteQuietly(directory.toFile());
        }
    }

    /** Saves what the browser shows, then fails with the test's own message and where the pictures are. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        String name = context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName();
        Path png = failures.resolve(name + ".png").toAbsolutePath();
        Path html = failures.resolve(name + ".html").toAbsolutePath();
        String saved;
        try {
            Files.createDirectories(failures);
            topFrame();
            Files.write(png, screenshot());
            Files.writeString(html, source(), StandardCharsets.UTF_8);
            saved = "screenshot: " + png + ", page source: " + html;
        } catch (Exception e) {
            saved = "no screenshot: " + e;
        }
        AssertionError failed = new AssertionError(thrown.getMessage() + "\n(" + saved + ")", thrown);
        failed.setStackTrace(thrown.getStackTrace());
        throw failed;
    }

    /** Loads a page and waits until it has loaded (the protocol's default page-load strategy). */
    public void open(String url) {
        command("POST", "/url", JSON.createObjectNode().put("url", url));
    }

    public String currentUrl() {
        return command("GET", "/url", null).asText();
    }

    public String title() {
        return command("GET", "/title", null).asText();
    }

    /** The first element matching a CSS selector now, or a {@link WebDriverException} "no such element". */
    public Element find(String css) {
        return new Element(this, command("POST", "/element", locator("css selector", css)));
    }

    /** The first element matching an XPath expression now. */
    public Element findByXpath(String xpath) {
        return new Element(this, command("POST", "/element", locator("xpath", xpath)));
    }

    /** Every element matching a CSS selector now (maybe none). */
    public List<Element> findAll(String css) {
        List<Element> elements = new ArrayList<>();
        for (JsonNode reference : command("POST", "/elements", locator("css selector", css))) {
            elements.add(new Element(this, reference));
        }
        return elements;
    }

    /** The first element matching {@code css} once it is displayed, waiting up to {@link #PATIENCE}. */
    public Element element(String css) {
        return awaitValue("an element " + css + " displayed", () -> find(css), Element::displayed);
    }

    /** Clicks the element matching {@code css} as soon as it takes the click (displayed, not covered). */
    public void click(String css) {
        awaitValue("a click on " + css, () -> {
            find(css).click();
            return true;
        }, done -> done);
    }

    /** Clicks an element found again at each try (it may be replaced while a page redraws). */
    public void click(String description, Callable<Element> element) {
        awaitValue("a click on " + description, () -> {
            element.call().click();
            return true;
        }, done -> done);
    }

    /** Types into the element matching {@code css} as soon as it takes keys. */
    public void type(String css, String text) {
        awaitValue("typing into " + css, () -> {
            find(css).type(text);
            return true;
        }, done -> done);
    }

    /** Runs {@code body} as a function in the page: {@code arguments[i]} are the args, {@code return} gives the result. */
    public JsonNode script(String body, Object... args) {
        ObjectNode request = JSON.createObjectNode().put("script", body);
        ArrayNode arguments = request.putArray("args");
        for (Object arg : args) {
            arguments.add(arg instanceof Element element ? element.reference() : JSON.valueToTree(arg));
        }
        return command("POST", "/execute/sync", request);
    }

    /** Commands after this go to the document of the frame element matching {@code css}. */
    public void frame(String css) {
        awaitValue("the frame " + css, () -> {
            command("POST", "/frame", JSON.createObjectNode().set("id", find(css).reference()));
            return true;
        }, done -> done);
    }

    /** Commands after this go to the top-level document again. */
    public void topFrame() {
        command("POST", "/frame", JSON.createObjectNode().putNull("id"));
    }

    public byte[] screenshot() {
        return Base64.getDecoder().decode(command("GET", "/screenshot", null).asText());
    }

    public String source() {
        return command("GET", "/source", null).asText();
    }

    /**
     * Polls {@code value} until {@code done} accepts it, for up to {@link #PATIENCE}; errors of elements not
     * there yet or being redrawn are retried. On time-out an assertion error names {@code what} and the last value.
     */
    public <T> T awaitValue(String what, Callable<T> value, Predicate<T> done) {
        AtomicReference<Object> last = new AtomicReference<>("nothing yet");
        try {
            return await(what).atMost(PATIENCE).pollInterval(Duration.ofMillis(150))
                .ignoreExceptionsMatching(e -> e instanceof WebDriverException w && w.isTransient())
                .until(() -> {
                    try {
                        T current = value.call();
                        last.set(current);
                        return current;
                    } catch (WebDriverException e) {
                        last.set(e.getMessage());
                        throw e;
                    }
                }, current -> done.test(current));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("waited " + PATIENCE.toSeconds() + " s for " + what + "; last seen: " + last.get(), e);
        }
    }

    private static ObjectNode locator(String using, String value) {
        return JSON.createObjectNode().put("using", using).put("value", value);
    }

    JsonNode command(String method, String path, JsonNode body) {
        try {
            return send(method, "/session/" + session + path, body).path("value");
        } catch (IOException e) {
            throw new WebDriverException("transport", method + " " + path + ": " + e);
        }
    }

    private JsonNode send(String method, String path, JsonNode body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(90))
            .header("Content-Type", "application/json; charset=utf-8");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode answer = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            JsonNode value = answer.path("value");
            throw new WebDriverException(value.path("error").asText("HTTP " + response.statusCode()),
                method + " " + path.replace("/session/" + session, "") + " " + (body == null ? "" : body) + ": "
                    + value.path("message").asText(response.body()).lines().findFirst().orElse(""));
        }
        return answer;
    }

    /** An element of the page: the protocol's opaque reference to it, used in commands about it. */
    public record Element(HeadlessChromium browser, JsonNode reference) {
        private String path() {
            return "/element/" + reference.elements().next().asText();
        }

        public void click() {
            browser.command("POST", path() + "/click", JSON.createObjectNode());
        }

        /** Sends keys (a file path, for an {@code <input type=file>}: it is uploaded). */
        public void type(String text) {
            browser.command("POST", path() + "/value", JSON.createObjectNode().put("text", text));
        }

        public void clear() {
            browser.command("POST", path() + "/clear", JSON.createObjectNode());
        }

        /** The rendered text (what a user reads). */
        public String text() {
            return browser.command("GET", path() + "/text", null).asText();
        }

        public boolean displayed() {
            return browser.command("GET", path() + "/displayed", null).asBoolean();
        }

        public String property(String name) {
            return browser.command("GET", path() + "/property/" + name, null).asText();
        }
    }

    /** An error answered by chromedriver: its W3C error code ({@code no such element}, …) and message. */
    public static final class WebDriverException extends RuntimeException {
        private final String error;

        WebDriverException(String error, String message) {
            super(error + ": " + message);
            this.error = error;
        }

        public String error() {
            return error;
        }

        public boolean isTransient() {
            return TRANSIENT.contains(error);
        }
    }
}
