package com.diegonmarcos.mailpack.it;

import static com.diegonmarcos.mailpack.it.Clients.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged server with its {@code var/} on a 64 MiB tmpfs, filled up by another file (the tests run
 * as root to mount it). Under {@code MAILPACK_MIN_FREE_MB} new mail gets {@code 452 4.3.1} (RFC 5321
 * §4.2.2, RFC 3463 X.3.1) at MAIL, RCPT and the end of DATA, IMAP APPEND {@code NO [UNAVAILABLE]}
 * (RFC 5530), while logins, FETCH and webadmin work and {@code /healthcheck} says degraded; freeing the
 * space resumes mail without a restart. Filled to the last byte while mail is being delivered, then
 * killed: the next start succeeds and every message answered 250 is in the mailbox.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FullDiskIntegrationTest {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "correct-horse-battery-staple";
    static final long MB = 1024L * 1024;
    static final long MIN_FREE_MB = 16;
    static final int SENDERS = 4;

    @RegisterExtension
    static MailpackTestServer server = MailpackTestServer.process().manualStart().withoutInboundRateLimits()
        .variable("MAILPACK_MIN_FREE_MB", String.valueOf(MIN_FREE_MB));

    static Path var;
    static boolean mounted;

    @BeforeAll
    static void varOnASmallDisk() throws Exception {
        var = server.home().resolve("var");
        Files.createDirectories(var);
        String user = run("id", "-u").trim();
        if (!user.equals("0")) {
            throw new IllegalStateException("FullDiskIntegrationTest mounts a 64 MiB tmpfs on the server's var/ and must run as root"
                + " (uid 0, this is uid " + user + "): run the integration tests as root, e.g. in the CI container");
        }
        run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", var.toString());
        mounted = true;
        server.start();
        server.createUser(DIEGO, PASSWORD);
    }

    /** A failed test leaves no filler behind for the next one. */
    @AfterEach
    void removeFillers() throws IOException {
        for (String name : List.of("filler", "filler-all")) {
            Files.deleteIfExists(var.resolve(name));
        }
    }

    @AfterAll
    static void unmount() throws Exception {
        server.stop();
        // kept for a look after a failure: the server's home goes when the class ends
        Files.writeString(Path.of("target", "FullDiskIntegrationTest-process.log"), server.processLog(), StandardCharsets.UTF_8);
        if (mounted) {
            run("umount", var.toString());
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    static long free() throws IOException {
        return Files.getFileStore(var).getUsableSpace();
    }

    /** Writes a file in var/ until at most {@code leave} bytes are free (0: until the disk is full). */
    static Path fill(String name, long leave) throws IOException {
        Path filler = var.resolve(name);
        byte[] chunk = new byte[256 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (free() > leave) {
                long room = free() - leave;
                out.write(chunk, 0, (int) Math.min(chunk.length, Math.max(room, 1)));
            }
            out.flush();
        } catch (IOException e) {
            if (leave > 0) {
                throw e;
            }
            // full: that was the point
        }
        return filler;
    }

    static String mailFrom() throws IOException {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            return smtp.send("MAIL FROM:<alice@example.org>");
        }
    }

    static String send(String marker, String body) throws IOException {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            String mail = smtp.send("MAIL FROM:<alice@example.org>");
            if (!mail.startsWith("250")) {
                return mail;
            }
            String rcpt = smtp.send("RCPT TO:<" + DIEGO + ">");
            if (!rcpt.startsWith("250")) {
                return rcpt;
            }
            return smtp.data(message("alice@example.org", DIEGO, "full disk " + marker, marker + "\r\n" + body));
        }
    }

    static void awaitInInbox(String marker) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(subjectsInInbox()).anySatisfy(subject -> assertThat(subject).endsWith(marker)));
    }

    /**
     * The subjects of every message in the INBOX (one FETCH of the envelopes): the INBOX holds hundreds
     * of 230 KB messages here, and reading them whole each poll (JavaMail fetches bodies in 16 KiB
     * parts) ran into the IMAP stall this class is not about (docs/mailbox-store.md, Full disk).
     */
    static List<String> subjectsInInbox() throws Exception {
        try (javax.mail.Store store = Clients.imapsStore(server, DIEGO, PASSWORD)) {
            javax.mail.Folder inbox = store.getFolder("INBOX");
            inbox.open(javax.mail.Folder.READ_ONLY);
            try {
                javax.mail.Message[] messages = inbox.getMessages();
                javax.mail.FetchProfile envelope = new javax.mail.FetchProfile();
                envelope.add(javax.mail.FetchProfile.Item.ENVELOPE);
                inbox.fetch(messages, envelope);
                List<String> subjects = new ArrayList<>();
                for (javax.mail.Message message : messages) {
                    subjects.add(String.valueOf(message.getSubject()));
                }
                return subjects;
            } finally {
                inbox.close(false);
            }
        }
    }

    static String health() throws Exception {
        HttpResponse<String> response = server.webAdmin("GET", "/healthcheck/checks/disk-space", null);
        return response.statusCode() + " " + response.body();
    }

    @Test
    @Order(1)
    void underTheThresholdNewMailIsRefusedAndReadingWorksUntilSpaceIsFreed() throws Exception {
        String before = "before-" + UUID.randomUUID();
        assertThat(send(before, "hello")).startsWith("250");
        awaitInInbox(before);

        // one transaction at MAIL, one at DATA, when the disk fills up
        SmtpDialog atRcpt = SmtpDialog.connect(server.smtpPort());
        atRcpt.send("EHLO mx.example.org");
        assertThat(atRcpt.send("MAIL FROM:<alice@example.org>")).startsWith("250");
        SmtpDialog atData = SmtpDialog.connect(server.smtpPort());
        atData.send("EHLO mx.example.org");
        assertThat(atData.send("MAIL FROM:<alice@example.org>")).startsWith("250");
        assertThat(atData.send("RCPT TO:<" + DIEGO + ">")).startsWith("250");

        Path filler = fill("filler", (MIN_FREE_MB - 4) * MB);
        assertThat(free()).isLessThan(MIN_FREE_MB * MB);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
            .untilAsserted(() -> assertThat(mailFrom()).isEqualTo("452 4.3.1 Insufficient system storage, try again later"));
        assertThat(atRcpt.send("RCPT TO:<" + DIEGO + ">")).isEqualTo("452 4.3.1 Insufficient system storage, try again later");
        assertThat(atData.data(message("alice@example.org", DIEGO, "late", "late"))).isEqualTo("452 4.3.1 Insufficient system storage, try again later");
        atRcpt.close();
        atData.close();

        SSLContext tls = Clients.trusting(server.certificate());
        try (ImapDialog imap = ImapDialog.connectTls(server.imapsPort(), tls)) {
            assertThat(last(imap.command("a1", "LOGIN " + DIEGO + " " + PASSWORD))).startsWith("a1 OK");
            assertThat(last(imap.command("a2", "SELECT INBOX"))).startsWith("a2 OK");
            List<String> fetched = imap.command("a3", "FETCH 1:* (BODY.PEEK[])");
            assertThat(last(fetched)).startsWith("a3 OK");
            assertThat(fetched).anySatisfy(line -> assertThat(line).contains(before));
            String appended = "From: diego@diegonmarcos.com\r\nSubject: draft\r\n\r\nappended\r\n";
            imap.send("a4 APPEND INBOX {" + appended.getBytes(StandardCharsets.US_ASCII).length + "}");
            assertThat(imap.readLine()).startsWith("+");
            imap.sendRaw((appended + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(last(imap.readUntilTagged("a4"))).startsWith("a4 NO [UNAVAILABLE] ");
            assertThat(last(imap.command("a5", "STORE 1 +FLAGS (\\Seen)"))).startsWith("a5 OK");
        }
        assertThat(server.webAdmin("GET", "/users", null).body()).contains(DIEGO);
        assertThat(health()).startsWith("200 ").contains("\"status\":\"degraded\"").contains("MAILPACK_MIN_FREE_MB=16");

        Files.delete(filler);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
            .untilAsserted(() -> assertThat(mailFrom()).startsWith("250"));
        String after = "after-" + UUID.randomUUID();
        assertThat(send(after, "hello again")).startsWith("250");
        awaitInInbox(after);
        assertThat(health()).startsWith("200 ").contains("\"status\":\"healthy\"");
        assertThat(server.processLog()).contains("WARN", "Disk space low: ", "Disk space back: ");
    }

    @Test
    @Order(2)
    void filledToTheLastByteWhileDeliveringThenKilledEveryAcceptedMessageIsThereAfterTheRestart() throws Exception {
        Load load = new Load();
        Path filler = load.untilTheDiskIsFull();
        server.kill();
        Files.delete(filler);
        server.start();

        load.everyAcceptedMessageIsInTheInbox();
        String after = "restarted-" + UUID.randomUUID();
        assertThat(send(after, "hello")).startsWith("250");
        awaitInInbox(after);
    }

    @Test
    @Order(3)
    void filledToTheLastByteWhileDeliveringThenFreedTheServerTakesMailAgainOrExitsToBeRestarted() throws Exception {
        Load load = new Load();
        Path filler = load.untilTheDiskIsFull();
        // the spool delivers what was queued onto the full disk (database, bodies, index), then the space comes back
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
            .until(() -> !server.isAlive() || queued() == 0);
        Files.delete(filler);

        String probe = "probe-" + UUID.randomUUID();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
            .until(() -> !server.isAlive() || send(probe, "probe").startsWith("250"));
        if (!server.isAlive()) {
            assertThat(server.awaitExit(Duration.ofSeconds(30))).as("exit status: the server ended itself").isEqualTo(70);
            server.start();
            assertThat(send(probe, "probe")).startsWith("250");
        }
        awaitInInbox(probe);
        load.everyAcceptedMessageIsInTheInbox();
    }

    /** SMTP sessions sending about 230 KB messages in parallel; the markers of those answered 250. */
    static final class Load {
        final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        final List<String> refused = Collections.synchronizedList(new ArrayList<>());

        /** Sends until mail is queued, fills the disk to its last byte, sends until refused; returns the filler. */
        Path untilTheDiskIsFull() throws Exception {
            AtomicBoolean stop = new AtomicBoolean();
            String big = ("x".repeat(76) + "\r\n").repeat(3000);
            Runnable sending = () -> {
                while (!stop.get()) {
                    String marker = "load-" + UUID.randomUUID();
                    try {
                        String reply = send(marker, big);
                        (reply.startsWith("250") ? accepted : refused).add(marker + " " + reply);
                    } catch (IOException e) {
                        refused.add(marker + " " + e);
                    }
                }
            };
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int i = 0; i < SENDERS; i++) {
                    running.add(senders.submit(sending));
                }
                int before = accepted.size();
                // deliveries in flight: mail accepted and still in the queue when the disk fills up
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> accepted.size() >= before + 10 && queued() > 0);
                Path filler = fill("filler-all", 0);
                int refusedBefore = refused.size();
                await().atMost(Duration.ofSeconds(30)).until(() -> refused.size() >= refusedBefore + 3);
                stop.set(true);
                for (Future<?> each : running) {
                    each.get(60, TimeUnit.SECONDS);
                }
                return filler;
            } finally {
                stop.set(true);
                senders.shutdownNow();
            }
        }

        void everyAcceptedMessageIsInTheInbox() {
            assertThat(accepted).hasSizeGreaterThanOrEqualTo(10);
            List<String> markers = accepted.stream().map(line -> line.substring(0, line.indexOf(' '))).toList();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                List<String> inbox = subjectsInInbox();
                assertThat(markers).allSatisfy(marker -> assertThat(inbox).anySatisfy(subject -> assertThat(subject).endsWith(marker)));
            });
        }
    }

    static int queued() throws Exception {
        HttpResponse<String> response = server.webAdmin("GET", "/mailQueues/spool", null);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("size").asInt();
    }

    static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }
}
