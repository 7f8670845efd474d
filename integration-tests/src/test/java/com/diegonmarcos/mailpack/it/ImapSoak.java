package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.it.peers.TestDns;

/**
 * A soak, not part of the suite (its name matches none of surefire's default patterns; run it with
 * {@code bench/imap-soak.sh}): JavaMail readers read the INBOX again and again the way Thunderbird does
 * (SELECT, every message in 16 KiB partial FETCHes, which set {@code \Seen}) while a sender delivers
 * messages on port 25 as fast as the server takes them. It fails on the first
 * <ul>
 *   <li>garbled answer: JavaMail's trace shows a FETCH answered without its body or an answer it cannot
 *       parse (responses out of order, docs/imap.md "Response order");</li>
 *   <li>refused command ({@code NO}/{@code BAD}, e.g. the victim of a database deadlock);</li>
 *   <li>round of a reader that does not end within {@code soak.stallSeconds} (a hang);</li>
 * </ul>
 * and leaves the server's threads and the reader's trace in {@code integration-tests/target/soak-*.txt}.
 * Settings (system properties): {@code soak.seconds} (300), {@code soak.readers} (3), {@code soak.last}
 * (the newest messages a round reads, 300), {@code soak.stallSeconds} (90).
 */
class ImapSoak {
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "imap-soak-passphrase-93";
    static final String[] BODIES = {"short", "y".repeat(8192) + "\r\nend", ("l".repeat(70) + "\r\n").repeat(700),
        ("m".repeat(998) + "\r\n").repeat(40), "a normal line"};

    @RegisterExtension
    @Order(1)
    static TestDns dns = TestDns.forZones(MailpackTestServer.DOMAIN, "example.org");

    @RegisterExtension
    @Order(2)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_DNS_SERVERS", dns.address())
        .variable("MAILPACK_DNS_TIMEOUT", "1s")
        .withoutInboundRateLimits();

    static void send(String body) throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO client.example");
            smtp.send("MAIL FROM:<someone@example.org>");
            smtp.send("RCPT TO:<" + DIEGO + ">");
            assertThat(smtp.data("From: Someone <someone@example.org>\r\nTo: " + DIEGO + "\r\nSubject: soak " + UUID.randomUUID()
                + "\r\nX-Title: Olá café\r\n\r\n" + body + "\r\n")).startsWith("250");
        }
    }

    /** One reader's round; its JavaMail trace goes to {@code trace}. */
    static int readRound(ByteArrayOutputStream trace, int last) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.socketFactory", Clients.trusting(server.certificate()).getSocketFactory());
        properties.put("mail.imaps.connectiontimeout", "10000");
        properties.put("mail.imaps.timeout", "600000"); // a hang is the soak's to report, not JavaMail's
        Session session = Session.getInstance(properties);
        session.setDebugOut(new PrintStream(trace, true, StandardCharsets.ISO_8859_1));
        session.setDebug(true);
        int read = 0;
        try (Store store = session.getStore("imaps")) {
            store.connect("localhost", server.imapsPort(), DIEGO, PASSWORD);
            Folder folder = store.getFolder("INBOX");
            folder.open(Folder.READ_WRITE);
            int count = folder.getMessageCount();
            for (Message message : folder.getMessages(Math.max(1, count - last), count)) {
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                message.writeTo(raw);
                read++;
            }
            folder.close(false);
        }
        return read;
    }

    @Test
    void readersAndADeliveryStreamNeverGarbleHangOrFail() throws Exception {
        int seconds = Integer.getInteger("soak.seconds", 300);
        int readers = Integer.getInteger("soak.readers", 3);
        int last = Integer.getInteger("soak.last", 300);
        int stallSeconds = Integer.getInteger("soak.stallSeconds", 90);
        server.createUser(DIEGO, PASSWORD);
        for (int i = 0; i < 10; i++) {
            send(BODIES[i % BODIES.length]);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> senderFailure = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            for (int i = 0; !stop.get() && senderFailure.get() == null; i++) {
                try {
                    send(BODIES[i % BODIES.length]);
                    sent.incrementAndGet();
                } catch (Exception | AssertionError e) {
                    senderFailure.set(e);
                }
            }
        }, "soak-sender");
        sender.start();
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int rounds = 0;
        long messagesRead = 0;
        try {
            while (System.nanoTime() < end) {
                List<ByteArrayOutputStream> traces = new ArrayList<>();
                List<Future<Integer>> rounding = new ArrayList<>();
                for (int r = 0; r < readers; r++) {
                    ByteArrayOutputStream trace = new ByteArrayOutputStream();
                    traces.add(trace);
                    rounding.add(pool.submit(() -> readRound(trace, last)));
                }
                for (int r = 0; r < readers; r++) {
                    String trace;
                    try {
                        messagesRead += rounding.get(r).get(stallSeconds, TimeUnit.SECONDS);
                        trace = traces.get(r).toString(StandardCharsets.ISO_8859_1);
                    } catch (TimeoutException hung) {
                        throw new AssertionError("a reader's round did not end within " + stallSeconds + " s (round " + rounds
                            + "): " + dump("hung", traces.get(r)));
                    } catch (java.util.concurrent.ExecutionException failed) {
                        throw new AssertionError("a reader's command failed (round " + rounds + "): " + failed.getCause()
                            + "; " + dump("failed", traces.get(r)), failed.getCause());
                    }
                    if (trace.contains("error in FETCH parsing") || trace.contains("got 0 BODY responses")) {
                        throw new AssertionError("a garbled FETCH answer (round " + rounds + "): " + dump("garbled", traces.get(r)));
                    }
                }
                rounds++;
                assertThat(senderFailure.get()).as("the sender's last failure").isNull();
            }
        } finally {
            stop.set(true);
            sender.join(TimeUnit.SECONDS.toMillis(60));
            pool.shutdownNow();
        }
        System.out.printf("ImapSoak: %d s, %d readers, %d rounds, %d messages read in 16 KiB parts, %d delivered meanwhile: "
            + "no garbled answer, no hang, no refused command%n", seconds, readers, rounds, messagesRead, sent.get());
        assertThat(rounds).isPositive();
    }

    /** The server's threads and the end of the reader's trace, in a file; its path. */
    private static Path dump(String what, ByteArrayOutputStream trace) {
        StringBuilder dump = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
            dump.append('"').append(thread.getKey().getName()).append("\" ").append(thread.getKey().getState()).append('\n');
            for (StackTraceElement frame : thread.getValue()) {
                dump.append("    at ").append(frame).append('\n');
            }
            dump.append('\n');
        }
        byte[] log = trace.toByteArray();
        int from = Math.max(0, log.length - 60_000);
        dump.append("--- the reader's JavaMail trace, last 60 KB ---\n").append(new String(log, from, log.length - from, StandardCharsets.ISO_8859_1));
        Path out = Path.of("target", "soak-" + what + "-" + System.currentTimeMillis() + ".txt").toAbsolutePath();
        try {
            Files.writeString(out, dump.toString(), StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            return Path.of("(not written: " + e + ")");
        }
        return out;
    }
}
