package com.diegonmarcos.mailpack.modules.jpa;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.persistence.EntityManagerFactory;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.jpa.JPAMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;

/**
 * James' JPA mail repository, storing a mail whose error text or remote address is longer than
 * its column ({@link MailRepositoryColumns}) with the text cut (marked {@value #CUT}) instead of
 * failing: a mail that cannot be kept in {@code var/mail/error} was retried until it was poison.
 * The mail itself is left as it was.
 */
public class BoundedJpaMailRepository extends JPAMailRepository {
    static final String CUT = " [...]";

    /** As James' repository store creates it (then configures it from conf/mailrepositorystore.xml). */
    @Inject
    public BoundedJpaMailRepository(EntityManagerFactory entityManagerFactory) {
        super(entityManagerFactory);
    }

    public BoundedJpaMailRepository(EntityManagerFactory entityManagerFactory, MailRepositoryUrl url) throws ConfigurationException {
        super(entityManagerFactory, url);
    }

    @Override
    public MailKey store(Mail mail) throws MessagingException {
        String errorMessage = mail.getErrorMessage();
        String remoteAddr = mail.getRemoteAddr();
        String keptError = cut(errorMessage, MailRepositoryColumns.ERROR_MESSAGE);
        String keptAddr = mail instanceof MailImpl ? cut(remoteAddr, MailRepositoryColumns.REMOTE_ADDR) : remoteAddr;
        if (keptError == errorMessage && keptAddr == remoteAddr) {
            return super.store(mail);
        }
        mail.setErrorMessage(keptError);
        if (keptAddr != remoteAddr) {
            ((MailImpl) mail).setRemoteAddr(keptAddr); // (an address with a long zone id: fe80::...%interface)
        }
        try {
            return super.store(mail);
        } finally {
            mail.setErrorMessage(errorMessage);
            if (keptAddr != remoteAddr) {
                ((MailImpl) mail).setRemoteAddr(remoteAddr);
            }
        }
    }

    /** The text itself when it fits in {@code width} characters, else its start marked {@link #CUT}. */
    static String cut(String text, int width) {
        if (text == null || text.length() <= width) {
            return text;
        }
        return text.substring(0, width - CUT.length()) + CUT;
    }
}
