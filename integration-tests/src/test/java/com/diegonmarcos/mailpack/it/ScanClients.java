package com.diegonmarcos.mailpack.it;

import java.util.Properties;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;

import com.sun.mail.imap.IMAPFolder;

/** IMAP and SMTP steps of the scanning tests: a user moving mail between folders, a full port-25 session. */
final class ScanClients {
    private ScanClients() {
    }

    /** IMAP MOVE (RFC 6851) of the messages of {@code from} containing {@code marker} into {@code to}; returns how many moved. */
    static int move(MailpackTestServer server, String user, String password, String from, String to, String marker) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.socketFactory", Clients.trusting(server.certificate()).getSocketFactory());
        properties.put("mail.imaps.ssl.checkserveridentity", "true");
        properties.put("mail.imaps.timeout", "30000");
        try (Store store = Session.getInstance(properties).getStore("imaps")) {
            store.connect("localhost", server.imapsPort(), user, password);
            Folder target = store.getFolder(to);
            if (!target.exists()) {
                target.create(Folder.HOLDS_MESSAGES);
            }
            IMAPFolder source = (IMAPFolder) store.getFolder(from);
            source.open(Folder.READ_WRITE);
            try {
                java.util.List<Message> selected = new java.util.ArrayList<>();
                for (Message message : source.getMessages()) {
                    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
                    message.writeTo(raw);
                    if (raw.toString(java.nio.charset.StandardCharsets.UTF_8).contains(marker)) {
                        selected.add(message);
                    }
                }
                if (!selected.isEmpty()) {
                    source.moveMessages(selected.toArray(new Message[0]), target);
                }
                return selected.size();
            } finally {
                source.close(true);
            }
        }
    }

    /** One message on port 25 from a remote sender; returns the reply to the end of DATA. */
    static String sendInbound(MailpackTestServer server, String to, String message) throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.smtpPort())) {
            smtp.send("EHLO mx.example.org");
            String mail = smtp.send("MAIL FROM:<alice@example.org>");
            if (!mail.startsWith("250")) {
                return mail;
            }
            String rcpt = smtp.send("RCPT TO:<" + to + ">");
            if (!rcpt.startsWith("250")) {
                return rcpt;
            }
            return smtp.data(message);
        }
    }

    /** A plain message with enough distinct words for rspamd's Bayes classifier (it wants 11+ tokens). */
    static String wordyMessage(String from, String to, String subject, String marker) {
        String body = "Dear friend, this letter brings the quarterly garden newsletter with tomato planting advice,\r\n"
            + "compost recipes, watering schedules and a short story about the neighbourhood cat who guards\r\n"
            + "the greenhouse every evening. Marker " + marker + ".\r\n";
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: Sat, 21 Nov 2026 08:00:00 +0000\r\n"
            + "Message-ID: <" + java.util.UUID.randomUUID() + "@example.org>\r\n\r\n" + body;
    }

    /**
     * Every message of a folder over IMAPS, read again when the read fails (a FETCH racing a delivery,
     * or a read timeout on a busy machine): at most 60 s.
     */
    static java.util.List<String> folder(MailpackTestServer server, String user, String password, String folder) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(250))
            .ignoreExceptionsMatching(e -> e instanceof java.io.IOException || e instanceof javax.mail.MessagingException)
            .until(() -> Clients.imapsFolder(server, user, password, folder), java.util.Objects::nonNull);
    }

    /**
     * The first message of a folder containing {@code marker}, waiting for it at most {@code atMost}; a
     * read that fails (a FETCH racing a delivery gets "BAD Invalid messageset") is simply repeated.
     */
    static String awaitIn(MailpackTestServer server, String user, String password, String folder, String marker, java.time.Duration atMost) {
        java.util.concurrent.atomic.AtomicReference<Exception> lastFailure = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            return org.awaitility.Awaitility.await().atMost(atMost).pollInterval(java.time.Duration.ofMillis(250))
                .until(() -> {
                    try {
                        return Clients.imapsFolder(server, user, password, folder).stream().filter(raw -> raw.contains(marker)).findFirst();
                    } catch (java.io.IOException | javax.mail.MessagingException e) {
                        lastFailure.set(e); // a read racing a delivery, or a timeout on a busy machine: read again
                        return java.util.Optional.<String>empty();
                    }
                }, java.util.Optional::isPresent)
                .get();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            AssertionError notFound = new AssertionError("no message containing " + marker + " in " + user + "'s " + folder
                + " within " + atMost + (lastFailure.get() == null ? " (every read succeeded)" : "; last failed read: " + lastFailure.get()));
            if (lastFailure.get() != null) {
                notFound.initCause(lastFailure.get());
            }
            throw notFound;
        }
    }

    /** How many messages of a folder contain {@code marker}. */
    static long copies(MailpackTestServer server, String user, String password, String folder, String marker) {
        return folder(server, user, password, folder).stream().filter(raw -> raw.contains(marker)).count();
    }

    /** The GTUBE test string: rspamd answers {@code reject}. */
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
}
