package com.diegonmarcos.mailpack.it;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Real clients configured to trust exactly the server's certificate (no trust-all shortcuts). */
public final class Clients {
    private Clients() {
    }

    public static SSLContext trusting(Path certificatePem) throws Exception {
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(certificatePem)) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
        trustStore.load(null, null);
        trustStore.setCertificateEntry("mailpack", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** The raw RFC 5322 text of every message in INBOX, fetched over IMAPS (javax.mail, host name checked). */
    public static List<String> imapsInbox(MailpackTestServer server, String user, String password) throws Exception {
        return imapsFolder(server, user, password, "INBOX");
    }

    /** Creates a folder over IMAPS. */
    public static void imapsCreateFolder(MailpackTestServer server, String user, String password, String name) throws Exception {
        try (Store store = imapsStore(server, user, password)) {
            Folder folder = store.getFolder(name);
            if (!folder.exists() && !folder.create(Folder.HOLDS_MESSAGES)) {
                throw new IllegalStateException("could not create " + name);
            }
        }
    }

    /** IMAP SEARCH BODY on INBOX (server-side search), returning the matching messages' raw text. */
    public static List<String> imapsSearchBody(MailpackTestServer server, String user, String password, String word) throws Exception {
        return readFolder(server, user, password, "INBOX", folder -> folder.search(new javax.mail.search.BodyTerm(word)));
    }

    /** The raw text of every message in one folder, over IMAPS. */
    public static List<String> imapsFolder(MailpackTestServer server, String user, String password, String folderName) throws Exception {
        return readFolder(server, user, password, folderName, Clients::everyMessageByUid);
    }

    /**
     * Every message of an open IMAP folder, listed with {@code UID FETCH 1:*}: the server answers with
     * the messages it knows. Listing by message number trusts the EXISTS count of the SELECT, which
     * James 3.8.1 reads after the session's UID list: a delivery committed in between made the count
     * one higher than the list, and fetching that last number failed with "BAD Invalid messageset".
     */
    private static Message[] everyMessageByUid(Folder folder) throws javax.mail.MessagingException {
        if (folder.getMessageCount() == 0) {
            return new Message[0]; // James answers "UID FETCH 1:*" on an empty folder with BAD
        }
        try {
            return ((javax.mail.UIDFolder) folder).getMessagesByUID(1, javax.mail.UIDFolder.LASTUID);
        } catch (javax.mail.MessagingException e) {
            if (e.getNextException() instanceof com.sun.mail.iap.BadCommandException
                && String.valueOf(e.getMessage()).contains("Invalid messageset")) {
                // the same race from the other side: the SELECT's UID list was empty and its EXISTS
                // already counted a delivery committed in between, so this session has no message yet
                return new Message[0];
            }
            throw e;
        }
    }

    private interface Selection {
        Message[] select(Folder folder) throws javax.mail.MessagingException;
    }

    /** The raw octets of every message in one folder, over IMAPS (for signature checks, byte for byte). */
    public static List<byte[]> imapsFolderRaw(MailpackTestServer server, String user, String password, String folderName) throws Exception {
        return readFolderRaw(server, user, password, folderName, Clients::everyMessageByUid);
    }

    /** The raw text of every message in the POP3 maildrop, over POP3S (host name checked). */
    public static List<String> pop3sInbox(MailpackTestServer server, String user, String password) throws Exception {
        return asText(readAll(store(server, "pop3s", server.pop3sPort(), user, password), "INBOX", Folder::getMessages));
    }

    private static List<String> readFolder(MailpackTestServer server, String user, String password, String folderName,
                                           Selection selection) throws Exception {
        return asText(readFolderRaw(server, user, password, folderName, selection));
    }

    private static List<String> asText(List<byte[]> rawMessages) {
        List<String> messages = new ArrayList<>();
        for (byte[] raw : rawMessages) {
            messages.add(new String(raw, java.nio.charset.StandardCharsets.UTF_8));
        }
        return messages;
    }

    private static List<byte[]> readFolderRaw(MailpackTestServer server, String user, String password, String folderName,
                                              Selection selection) throws Exception {
        return readAll(imapsStore(server, user, password), folderName, selection);
    }

    /** Reads the selected messages of one folder, then closes the store. */
    private static List<byte[]> readAll(Store opened, String folderName, Selection selection) throws Exception {
        try (Store store = opened) {
            Folder folder = store.getFolder(folderName);
            folder.open(Folder.READ_ONLY);
            try {
                List<byte[]> messages = new ArrayList<>();
                for (Message message : selection.select(folder)) {
                    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
                    message.writeTo(raw);
                    messages.add(raw.toByteArray());
                }
                return messages;
            } finally {
                folder.close(false);
            }
        }
    }

    /** A connected IMAPS store (the caller closes it). */
    public static Store imapsStore(MailpackTestServer server, String user, String password) throws Exception {
        return store(server, "imaps", server.imapsPort(), user, password);
    }

    private static Store store(MailpackTestServer server, String protocol, int port, String user, String password) throws Exception {
        Properties properties = new Properties();
        properties.put("mail." + protocol + ".ssl.socketFactory", trusting(server.certificate()).getSocketFactory());
        properties.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        properties.put("mail." + protocol + ".connectiontimeout", "10000");
        properties.put("mail." + protocol + ".timeout", "30000");
        Store store = Session.getInstance(properties).getStore(protocol);
        store.connect("localhost", port, user, password);
        return store;
    }

    public static String message(String from, String to, String subject, String body) {
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject
            + "\r\nMessage-ID: <" + java.util.UUID.randomUUID() + "@test>\r\n\r\n" + body + "\r\n";
    }
}
