package com.diegonmarcos.mailpack.modules.scan;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.mail.Flags;

import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.DefaultMailboxes;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.rspamd.RspamdException;
import com.diegonmarcos.mailpack.scan.Scanning;
import com.diegonmarcos.mailpack.smtp.ScanMessage;

/**
 * Teaches rspamd's Bayes classifier from what users do over IMAP, asynchronously (an IMAP MOVE or
 * COPY never waits for rspamd):
 * <ul>
 *   <li>a message a user puts into the Junk folder (not one delivered there) goes to the controller's
 *       {@code /learnspam}, and is given the keyword {@code $Junk} (RFC 5788);</li>
 *   <li>a message put into another folder goes to {@code /learnham} when it was learned as spam
 *       ({@code $Junk}: the user took back a "move to junk") or when we had filed it as junk
 *       ({@code X-Spam-Flag: YES}) and it was not learned as ham already ({@code $NotJunk}); it is then
 *       given {@code $NotJunk} instead of {@code $Junk};</li>
 *   <li>nothing is learned from a message put into Trash: deleting a message is no verdict on it (a spam
 *       deleted from Junk was learned as ham before).</li>
 * </ul>
 * rspamd may also take back the earlier lesson of a message learned again in the other class (its learn
 * cache decides). Failures are logged
 * (WARN) and dropped: learning is best effort and never affects the mailbox beyond the two keywords.
 */
public class JunkLearning implements EventListener.GroupEventListener {
    public static class JunkLearningGroup extends Group {
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(JunkLearning.class);
    private static final Group GROUP = new JunkLearningGroup();
    static final String JUNK = "$Junk";
    static final String NOT_JUNK = "$NotJunk";
    private static final Pattern SPAM_FLAG = Pattern.compile("(?im)^" + ScanMessage.SPAM_FLAG + ":\\s*YES\\s*$");

    private final Scanning scanning;
    private final ScanModule.Learning learning;
    private final MailboxManager mailboxManager;

    @Inject
    public JunkLearning(Scanning scanning, ScanModule.Learning learning, MailboxManager mailboxManager) {
        this.scanning = scanning;
        this.learning = learning;
        this.mailboxManager = mailboxManager;
    }

    @Override
    public Group getDefaultGroup() {
        return GROUP;
    }

    @Override
    public ExecutionMode getExecutionMode() {
        return ExecutionMode.ASYNCHRONOUS;
    }

    @Override
    public boolean isHandling(Event event) {
        return event instanceof MailboxEvents.Added added && !added.isDelivery() && active();
    }

    private boolean active() {
        return learning.enabled() && scanning.rspamd().map(rspamd -> rspamd.client().settings().controllerUrl().isPresent()).orElse(false);
    }

    @Override
    public void event(Event event) {
        if (!(event instanceof MailboxEvents.Added added) || added.isDelivery() || !active()) {
            return;
        }
        String folder = added.getMailboxPath().getName();
        boolean intoJunk = folder.equalsIgnoreCase(learning.junkFolder());
        if (!intoJunk && folder.equalsIgnoreCase(DefaultMailboxes.TRASH)) {
            return;
        }
        try {
            MailboxSession session = mailboxManager.createSystemSession(added.getUsername());
            try {
                MessageManager mailbox = mailboxManager.getMailbox(added.getMailboxId(), session);
                for (MessageUid uid : added.getUids()) {
                    learnOne(mailbox, uid, intoJunk, session);
                }
            } finally {
                mailboxManager.endProcessingRequest(session);
            }
        } catch (Exception e) {
            LOGGER.warn("rspamd learning skipped for {} in {}: {}", added.getUids(), added.getMailboxPath(), e.toString());
        }
    }

    private void learnOne(MessageManager mailbox, MessageUid uid, boolean intoJunk, MailboxSession session) throws Exception {
        Scanning.Rspamd rspamd = scanning.rspamd().orElseThrow();
        Iterator<MessageResult> results = mailbox.getMessages(MessageRange.one(uid), FetchGroup.FULL_CONTENT, session);
        while (results.hasNext()) {
            MessageResult result = results.next();
            if (!rspamd.client().accepts(result.getSize())) {
                LOGGER.debug("not learning uid {}: {} bytes is above maxMessageKB", uid, result.getSize());
                continue;
            }
            byte[] content;
            try (InputStream in = result.getFullContent().getInputStream()) {
                content = in.readAllBytes();
            }
            Flags flags = result.getFlags();
            boolean learnedSpam = flags.contains(JUNK);
            boolean spam;
            if (intoJunk && !learnedSpam) {
                spam = true;
            } else if (!intoJunk && (learnedSpam || !flags.contains(NOT_JUNK) && SPAM_FLAG.matcher(headerSection(content)).find())) {
                spam = false;
            } else {
                continue;
            }
            try {
                boolean learned = rspamd.client().learn(spam, content);
                LOGGER.info("rspamd {} uid {} of {}: {}", spam ? "learnspam" : "learnham", uid,
                    mailbox.getMailboxPath().asString(), learned ? "learned" : "declined (too short or already learned)");
                if (learned) {
                    mailbox.setFlags(new Flags(spam ? JUNK : NOT_JUNK), MessageManager.FlagsUpdateMode.ADD, MessageRange.one(uid), session);
                    mailbox.setFlags(new Flags(spam ? NOT_JUNK : JUNK), MessageManager.FlagsUpdateMode.REMOVE, MessageRange.one(uid), session);
                }
            } catch (RspamdException e) {
                LOGGER.warn("rspamd {} uid {} failed: {}", spam ? "learnspam" : "learnham", uid, e.getMessage());
            }
        }
    }

    private static String headerSection(byte[] content) {
        String text = new String(content, 0, Math.min(content.length, 64 * 1024), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        return end < 0 ? text : text.substring(0, end);
    }
}
