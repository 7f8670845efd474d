package com.diegonmarcos.mailpack.mailets;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.StorageDirective;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Strings;
import com.google.common.collect.ImmutableSet;

/**
 * Files mail that a filter judged suspicious into each local recipient's Junk folder instead of the
 * INBOX. Filters do not deliver anything themselves: they {@link #mark} the mail (attribute
 * {@value #ATTRIBUTE_NAME}, the reasons, {@code "; "}-separated) and this mailet, placed in
 * {@code transport} before {@code Sieve} and {@code LocalDelivery}, turns the mark into a storage
 * directive. The folder is created (and subscribed) at delivery when it does not exist yet. A user's
 * Sieve script still has the last word, as with any other mail.
 *
 * <p>Parameter {@code folder} (default {@value #DEFAULT_FOLDER}: the folder James creates in every
 * account and lists with the SPECIAL-USE attribute {@code \Junk}, so that clients' "junk" is this one).
 * Remote recipients are not affected.
 */
public class FileIntoJunk extends GenericMailet {
    public static final String ATTRIBUTE_NAME = "mailpack.junk";
    public static final AttributeName ATTRIBUTE = AttributeName.of(ATTRIBUTE_NAME);
    static final Set<String> PARAMETERS = ImmutableSet.of("folder");
    private static final Logger LOGGER = LoggerFactory.getLogger(FileIntoJunk.class);
    /** James 3.8.1 provisions it at first login and gives only this name the {@code \Junk} attribute (its Role.SPAM). */
    public static final String DEFAULT_FOLDER = "Spam";

    private String folder;

    /** Marks {@code mail} for the Junk folder, adding {@code reason} to the reasons already there. */
    public static void mark(Mail mail, String reason) {
        String joined = reasons(mail).map(existing -> existing + "; " + reason).orElse(reason);
        mail.setAttribute(new Attribute(ATTRIBUTE, AttributeValue.of(joined)));
    }

    /** Why {@code mail} is marked for the Junk folder, when it is. */
    public static Optional<String> reasons(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, ATTRIBUTE, String.class);
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(PARAMETERS);
        folder = Strings.emptyToNull(getInitParameter("folder", DEFAULT_FOLDER).trim());
        if (folder == null) {
            throw new MessagingException("FileIntoJunk: parameter 'folder' must not be empty");
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Optional<String> reasons = reasons(mail);
        if (reasons.isEmpty()) {
            return;
        }
        List<MailAddress> filed = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            if (getMailetContext().isLocalServer(recipient.getDomain())) {
                StorageDirective.builder().targetFolder(folder).build()
                    .encodeAsAttributes(Username.fromMailAddress(recipient))
                    .forEach(mail::setAttribute);
                filed.add(recipient);
            }
        }
        if (!filed.isEmpty()) {
            LOGGER.info("junk: {} from <{}> filed into {} of {} ({})", mail.getName(),
                mail.getMaybeSender().asString(), folder, filed, reasons.get());
        }
    }

    @Override
    public String getMailetInfo() {
        return "mailpack FileIntoJunk: marked mail goes to the recipients' junk folder";
    }
}
