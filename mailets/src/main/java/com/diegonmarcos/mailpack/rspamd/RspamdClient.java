package com.diegonmarcos.mailpack.rspamd;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Talks to rspamd over HTTP/1.1 with one shared {@link HttpClient} (connections kept alive and
 * reused). Every call is bounded: connect and request {@code timeout}, messages above
 * {@code maxMessageBytes} are not sent (the caller decides), replies above {@value #MAX_REPLY_BYTES}
 * bytes are an error. The controller (learning, statistics) is optional.
 */
public final class RspamdClient {
    static final int MAX_REPLY_BYTES = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param url the normal worker, e.g. {@code http://127.0.0.1:11333}
     * @param controllerUrl the controller, e.g. {@code http://127.0.0.1:11334}, for learning and /stat
     * @param password the controller password (header {@code Password})
     */
    public record Settings(URI url, Optional<URI> controllerUrl, Optional<String> password, Duration timeout,
                           long maxMessageBytes) {
        @Override
        public String toString() {
            return "url=" + url + ", controller=" + controllerUrl.map(URI::toString).orElse("none")
                + ", password=" + (password.isPresent() ? "****" : "none") + ", timeout=" + timeout
                + ", maxMessageBytes=" + maxMessageBytes;
        }
    }

    private final Settings settings;
    private final HttpClient http;

    public RspamdClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    }

    public Settings settings() {
        return settings;
    }

    /** Whether rspamd would get this message (bigger ones are left unscanned by the caller). */
    public boolean accepts(long messageSize) {
        return messageSize <= settings.maxMessageBytes();
    }

    /** {@code POST /checkv2} of a message held in memory. */
    public RspamdResult check(byte[] message, RspamdRequest request) throws RspamdException {
        return checkv2(HttpRequest.BodyPublishers.ofByteArray(message), message.length, request);
    }

    /**
     * {@code POST /checkv2} of a message in a file, streamed from it: a big message is never copied
     * into the heap (16 sessions scanning 10 MB each would need 320 MB).
     */
    public RspamdResult check(Path message, RspamdRequest request) throws RspamdException, IOException {
        return checkv2(HttpRequest.BodyPublishers.ofFile(message), Files.size(message), request);
    }

    private RspamdResult checkv2(HttpRequest.BodyPublisher message, long length, RspamdRequest request) throws RspamdException {
        if (!accepts(length)) {
            throw new IllegalArgumentException("message of " + length + " bytes is above maxMessageBytes " + settings.maxMessageBytes());
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(settings.url().resolve("/checkv2"))
            .timeout(settings.timeout())
            .POST(message);
        request.clientIp().ifPresent(ip -> builder.header("IP", ip));
        request.helo().filter(helo -> !helo.isBlank()).ifPresent(helo -> builder.header("Helo", clean(helo)));
        request.mailFrom().ifPresent(from -> builder.header("From", clean(from)));
        request.recipients().forEach(rcpt -> builder.header("Rcpt", clean(rcpt)));
        request.user().ifPresent(user -> builder.header("User", clean(user)));
        request.queueId().ifPresent(id -> builder.header("Queue-Id", clean(id)));
        return checkReply(expectOk(exchange(builder.build(), "/checkv2"), "/checkv2"));
    }

    /**
     * Reads rspamd's {@code /checkv2} reply body (the part of the exchange that sees what rspamd, or
     * whatever answers on its port, sends; the fuzz harness calls it directly).
     *
     * @throws RspamdException when the body is not JSON, or has no action or score
     */
    static RspamdResult checkReply(byte[] body) throws RspamdException {
        JsonNode reply = json(body, "/checkv2");
        if (!reply.hasNonNull("action") || !reply.hasNonNull("score")) {
            throw new RspamdException("rspamd /checkv2: reply without action or score: " + abbreviate(reply.toString()));
        }
        List<String> symbols = new ArrayList<>();
        Iterator<String> names = reply.path("symbols").fieldNames();
        names.forEachRemaining(symbols::add);
        Optional<String> smtpMessage = Optional.ofNullable(reply.path("messages").path("smtp_message").textValue());
        return new RspamdResult(reply.get("action").asText(), reply.get("score").asDouble(),
            reply.path("required_score").asDouble(Double.NaN), symbols, smtpMessage);
    }

    /**
     * {@code POST /learnspam} or {@code /learnham} on the controller.
     *
     * @return whether rspamd learned it; {@code false} when it declined (HTTP 204: too few tokens,
     *     or already learned), which is not an error
     */
    public boolean learn(boolean spam, byte[] message) throws RspamdException {
        String path = spam ? "/learnspam" : "/learnham";
        HttpRequest request = controller(path).POST(HttpRequest.BodyPublishers.ofByteArray(message)).build();
        Reply reply = exchange(request, path);
        if (reply.status() == 204) {
            return false;
        }
        return expectOk(reply, path).length >= 0;
    }

    /** {@code GET /stat} on the controller: scanned and learned counts, Bayes statfiles. */
    public JsonNode stat() throws RspamdException {
        return send(controller("/stat").GET().build(), "/stat");
    }

    /** {@code GET /ping} on the normal worker. */
    public void ping() throws RspamdException {
        HttpRequest request = HttpRequest.newBuilder(settings.url().resolve("/ping")).timeout(settings.timeout()).GET().build();
        String body = new String(expectOk(exchange(request, "/ping"), "/ping"), java.nio.charset.StandardCharsets.US_ASCII).trim();
        if (!body.startsWith("pong")) {
            throw new RspamdException("rspamd /ping answered " + abbreviate(body));
        }
    }

    private HttpRequest.Builder controller(String path) throws RspamdException {
        URI controller = settings.controllerUrl()
            .orElseThrow(() -> new RspamdException("no rspamd controller URL configured (needed for " + path + ")"));
        HttpRequest.Builder builder = HttpRequest.newBuilder(controller.resolve(path)).timeout(settings.timeout());
        settings.password().ifPresent(password -> builder.header("Password", password));
        return builder;
    }

    private JsonNode send(HttpRequest request, String path) throws RspamdException {
        return json(expectOk(exchange(request, path), path), path);
    }

    private static JsonNode json(byte[] body, String path) throws RspamdException {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new RspamdException("rspamd " + path + ": unreadable reply: " + abbreviate(new String(body, java.nio.charset.StandardCharsets.UTF_8)), e);
        }
    }

    private record Reply(int status, byte[] body) {
    }

    private static byte[] expectOk(Reply reply, String path) throws RspamdException {
        if (reply.status() != 200) {
            throw new RspamdException("rspamd " + path + ": HTTP " + reply.status() + " "
                + abbreviate(new String(reply.body(), java.nio.charset.StandardCharsets.UTF_8)));
        }
        return reply.body();
    }

    private Reply exchange(HttpRequest request, String path) throws RspamdException {
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_REPLY_BYTES + 1);
            }
            if (body.length > MAX_REPLY_BYTES) {
                throw new RspamdException("rspamd " + path + ": reply larger than " + MAX_REPLY_BYTES + " bytes");
            }
            return new Reply(response.statusCode(), body);
        } catch (HttpTimeoutException e) {
            throw new RspamdException("rspamd " + path + ": no answer within " + settings.timeout(), e);
        } catch (IOException e) {
            throw new RspamdException("rspamd " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RspamdException("rspamd " + path + ": interrupted", e);
        }
    }

    /** Header values come from the SMTP client: no CR/LF may reach the HTTP request. */
    private static String clean(String value) {
        return value.replaceAll("[\\r\\n]", " ");
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
