package com.diegonmarcos.mailpack.smtp;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.clamav.ClamdResult;
import com.diegonmarcos.mailpack.mailets.FileIntoJunk;
import com.diegonmarcos.mailpack.mailets.SaveWithoutParsing;
import com.diegonmarcos.mailpack.rspamd.RspamdClient;
import com.diegonmarcos.mailpack.rspamd.RspamdException;
import com.diegonmarcos.mailpack.rspamd.RspamdRequest;
import com.diegonmarcos.mailpack.rspamd.RspamdResult;
import com.diegonmarcos.mailpack.scan.ClamavPolicy;
import com.diegonmarcos.mailpack.scan.FailurePolicy;
import com.diegonmarcos.mailpack.scan.Scanning;
import com.diegonmarcos.mailpack.scan.SpamOutcome;

/**
 * Scans every message at the end of DATA, before it is queued, so a refusal is an SMTP reply and
 * never a bounce: clamd first (viruses), then rspamd (spam), as configured in {@code conf/scan.xml}.
 * Place it before {@code CoreCmdHandlerLoader} in each listener's {@code handlerchain}.
 *
 * <ul>
 *   <li>clamd: infected → {@code 554 5.7.1} (or, with {@code onInfected=quarantine}, accepted with
 *   attribute {@value #INFECTED} for the quarantine processor); over StreamMaxLength → accepted with
 *   {@code X-Virus-Status: unscanned (too large)} or {@code 452 4.3.1}; otherwise
 *   {@code X-Virus-Status: clean}.</li>
 *   <li>rspamd: the outcome of {@code RspamdPolicy} — {@code 550 5.7.1}, {@code 451 4.7.1}, Junk
 *   folder ({@link FileIntoJunk#mark}) or INBOX, with {@code X-Spam-Status} and {@code X-Spam-Score}
 *   (plus {@code X-Spam-Flag: YES} for Junk).</li>
 *   <li>a scanner that cannot answer: {@code fail-open} accepts with {@code X-Spam-Status} /
 *   {@code X-Virus-Status: unscanned (...)} and logs a WARN; {@code fail-closed} answers
 *   {@code 451 4.3.0}.</li>
 * </ul>
 * Any {@code X-Spam-*} / {@code X-Virus-*} field the sender wrote is removed first: only ours count.
 * Authenticated (outgoing) mail gets no {@code X-Spam-*} fields: our verdict is not for its recipients.
 */
public class ScanMessage implements JamesMessageHook {
    public static final String INFECTED = "mailpack.clamav.infected";
    public static final String SPAM_STATUS = "X-Spam-Status";
    public static final String SPAM_SCORE = "X-Spam-Score";
    public static final String SPAM_FLAG = "X-Spam-Flag";
    public static final String SPAM_SYMBOLS = "X-Spam-Symbols";
    public static final String VIRUS_STATUS = "X-Virus-Status";
    private static final Logger LOGGER = LoggerFactory.getLogger(ScanMessage.class);
    /** Messages up to this size go to rspamd from memory; bigger ones from a temporary file. */
    static final long IN_MEMORY_SCAN_BYTES = 256 * 1024;

    private final Scanning scanning;

    @Inject
    public ScanMessage(Scanning scanning) {
        this.scanning = scanning;
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        if (!scanning.enabled()) {
            return HookResult.DECLINED;
        }
        try {
            MimeMessage message = mail.getMessage();
            boolean authenticated = session.getUsername() != null;
            List<String[]> headers = new ArrayList<>();
            Optional<HookResult> refusal = Optional.empty();
            if (scanning.clamav().isPresent()) {
                refusal = clamav(scanning.clamav().get(), mail, headers);
            }
            if (refusal.isEmpty() && scanning.rspamd().isPresent() && !quarantined(mail)) {
                refusal = rspamd(scanning.rspamd().get(), session, mail, authenticated, headers);
            }
            if (refusal.isPresent()) {
                return refusal.get();
            }
            removeForeignFields(message);
            for (String[] header : headers) {
                message.addHeader(header[0], header[1]);
            }
            return HookResult.DECLINED;
        } catch (MessagingException | IOException | RuntimeException e) {
            LOGGER.error("Cannot scan {}: answering 451", mail.getName(), e);
            return reply(HookReturnCode.denySoft(), "451", "4.3.0 Temporary failure while checking the message, try again later");
        }
    }

    private Optional<HookResult> clamav(Scanning.Clamav clamav, Mail mail, List<String[]> headers) throws MessagingException {
        ClamavPolicy policy = clamav.policy();
        ClamdResult result;
        try (InputStream content = messageStream(mail.getMessage())) {
            result = clamav.client().scan(content);
        } catch (IOException e) {
            if (policy.onFailure() == FailurePolicy.CLOSED) {
                LOGGER.warn("clamd cannot scan {} ({}): answering 451 (fail-closed)", mail.getName(), e.getMessage());
                return Optional.of(reply(HookReturnCode.denySoft(), "451", "4.3.0 Virus scanner unavailable, try again later"));
            }
            LOGGER.warn("clamd cannot scan {} ({}): accepting it unscanned (fail-open)", mail.getName(), e.getMessage());
            headers.add(new String[] {VIRUS_STATUS, "unscanned (scanner unavailable)"});
            return Optional.empty();
        }
        switch (result.status()) {
            case INFECTED:
                String signature = result.signature().orElse("unknown");
                if (policy.onInfected() == ClamavPolicy.OnInfected.QUARANTINE) {
                    LOGGER.info("Quarantining {} from <{}>: virus {}", mail.getName(), mail.getMaybeSender().asString(), signature);
                    mail.setAttribute(new Attribute(AttributeName.of(INFECTED), AttributeValue.of(signature)));
                    headers.add(new String[] {VIRUS_STATUS, "infected (" + signature + ")"});
                    return Optional.empty();
                }
                LOGGER.info("Rejected {} from <{}>: virus {}", mail.getName(), mail.getMaybeSender().asString(), signature);
                return Optional.of(reply(HookReturnCode.deny(), "554", "5.7.1 Message rejected: virus found (" + printable(signature) + ")"));
            case TOO_LARGE:
                if (policy.onTooLarge() == ClamavPolicy.OnTooLarge.TEMPFAIL) {
                    LOGGER.info("{} is too large for clamd: answering 452", mail.getName());
                    return Optional.of(reply(HookReturnCode.denySoft(), "452", "4.3.1 Message too large to be checked for viruses now"));
                }
                LOGGER.warn("{} is too large for clamd (StreamMaxLength): accepting it unscanned", mail.getName());
                headers.add(new String[] {VIRUS_STATUS, "unscanned (too large)"});
                return Optional.empty();
            default:
                headers.add(new String[] {VIRUS_STATUS, "clean"});
                return Optional.empty();
        }
    }

    private Optional<HookResult> rspamd(Scanning.Rspamd rspamd, SMTPSession session, Mail mail, boolean authenticated,
                                        List<String[]> headers) throws MessagingException, IOException {
        long size = mail.getMessageSize();
        if (!rspamd.client().accepts(size)) {
            LOGGER.debug("{} ({} bytes) is above rspamd's maxMessageKB: not scanned", mail.getName(), size);
            headers.add(new String[] {SPAM_STATUS, "unscanned (too large)"});
            return Optional.empty();
        }
        RspamdResult result;
        try {
            result = check(rspamd.client(), mail.getMessage(), size, request(session, mail));
        } catch (RspamdException e) {
            if (rspamd.policy().onFailure() == FailurePolicy.CLOSED) {
                LOGGER.warn("rspamd cannot check {} ({}): answering 451 (fail-closed)", mail.getName(), e.getMessage());
                return Optional.of(reply(HookReturnCode.denySoft(), "451", "4.3.0 Spam filter unavailable, try again later"));
            }
            LOGGER.warn("rspamd cannot check {} ({}): accepting it unscanned (fail-open)", mail.getName(), e.getMessage());
            headers.add(new String[] {SPAM_STATUS, "unscanned (spam filter unavailable)"});
            return Optional.empty();
        }
        SpamOutcome outcome = rspamd.policy().decide(result, authenticated);
        String direction = authenticated ? "outbound" : "inbound";
        switch (outcome) {
            case REJECT:
                LOGGER.info("Rejected {} {} from <{}> as spam: rspamd {} {} {}", direction, mail.getName(),
                    mail.getMaybeSender().asString(), result.action(), result.scoreText(), result.symbols());
                return Optional.of(reply(HookReturnCode.deny(), "550", "5.7.1 Message rejected as spam"
                    + (authenticated ? " (your message looks like spam; ask the postmaster if this is wrong)" : "")));
            case TEMPFAIL:
                LOGGER.info("Deferred {} {} from <{}>: rspamd {} {}", direction, mail.getName(),
                    mail.getMaybeSender().asString(), result.action(), result.scoreText());
                return Optional.of(reply(HookReturnCode.denySoft(), "451", "4.7.1 Try again later"));
            case JUNK:
                FileIntoJunk.mark(mail, "rspamd: " + result.action() + " " + result.scoreText());
                headers.add(new String[] {SPAM_FLAG, "YES"});
                headers.add(new String[] {SPAM_STATUS, "Yes, score=" + result.scoreText() + ", action=" + result.action()});
                break;
            default:
                headers.add(new String[] {SPAM_STATUS, "No, score=" + result.scoreText() + ", action=" + result.action()});
                break;
        }
        if (authenticated) {
            // our users' outgoing mail does not carry our spam verdict to its recipients
            headers.removeIf(header -> header[0].startsWith("X-Spam-"));
            LOGGER.debug("rspamd on outbound {}: {} {} -> {}", mail.getName(), result.action(), result.scoreText(), outcome);
            return Optional.empty();
        }
        headers.add(new String[] {SPAM_SCORE, String.format(java.util.Locale.ROOT, "%.2f", result.score())});
        if (!result.symbols().isEmpty()) {
            headers.add(new String[] {SPAM_SYMBOLS, MimeUtility.fold(SPAM_SYMBOLS.length() + 2, String.join(", ", result.symbols()))});
        }
        LOGGER.debug("rspamd on {}: {} {} -> {}", mail.getName(), result.action(), result.scoreText(), outcome);
        return Optional.empty();
    }

    /**
     * Sends the message as it will be stored: a small one from memory, a bigger one from a private
     * temporary file (0600, deleted after), so sessions scanning at once never hold whole copies in
     * the heap.
     */
    private static RspamdResult check(RspamdClient client, MimeMessage message, long size, RspamdRequest request)
            throws RspamdException, IOException, MessagingException {
        if (size <= IN_MEMORY_SCAN_BYTES) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream((int) size + 1024);
            SaveWithoutParsing.writeTo(message, raw);
            return client.check(raw.toByteArray(), request);
        }
        Path copy = Files.createTempFile("mailpack-rspamd-", ".eml");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(copy), 64 * 1024)) {
                SaveWithoutParsing.writeTo(message, out);
            }
            return client.check(copy, request);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static RspamdRequest request(SMTPSession session, Mail mail) {
        Optional<String> ip = Optional.ofNullable(session.getRemoteAddress()).map(address -> address.getAddress().getHostAddress());
        Optional<String> helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, ProtocolSession.State.Connection);
        Optional<String> from = Optional.of(mail.getMaybeSender().asString(""));
        List<String> recipients = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            recipients.add(recipient.asString());
        }
        Optional<String> user = Optional.ofNullable(session.getUsername()).map(username -> username.asString());
        return new RspamdRequest(ip, helo, from, recipients, user, Optional.of(mail.getName()));
    }

    private static boolean quarantined(Mail mail) {
        return mail.getAttribute(AttributeName.of(INFECTED)).isPresent();
    }

    /** The message as it will be stored, streamed from a writer thread (no copy of big messages in memory). */
    private static InputStream messageStream(MimeMessage message) throws IOException {
        PipedInputStream in = new PipedInputStream(64 * 1024);
        OutputStream out = new java.io.PipedOutputStream(in);
        Thread writer = new Thread(() -> {
            try (out) {
                SaveWithoutParsing.writeTo(message, out);
            } catch (IOException | MessagingException e) {
                LOGGER.debug("stopped streaming a message to clamd: {}", e.toString());
            }
        }, "clamd-stream");
        writer.setDaemon(true);
        writer.start();
        return in;
    }

    private static void removeForeignFields(MimeMessage message) throws MessagingException {
        Set<String> names = new LinkedHashSet<>();
        for (Header header : Collections.list(message.getAllHeaders())) {
            String lower = header.getName().toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("x-spam-") || lower.startsWith("x-virus-")) {
                names.add(header.getName());
            }
        }
        for (String name : names) {
            message.removeHeader(name);
        }
    }

    private static String printable(String text) {
        return text.replaceAll("[^\\x21-\\x7e]", "?");
    }

    private static HookResult reply(HookReturnCode code, String smtpCode, String description) {
        return HookResult.builder().hookReturnCode(code).smtpReturnCode(smtpCode).smtpDescription(description).build();
    }
}
