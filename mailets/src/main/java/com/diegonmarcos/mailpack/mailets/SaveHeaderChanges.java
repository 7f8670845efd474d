package com.diegonmarcos.mailpack.mailets;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * Settles the header changes of earlier mailets ({@link SaveWithoutParsing}) before a mailet that
 * writes the message out, e.g. {@code LocalDelivery}: written unsaved, a multipart message whose header
 * a mailet changed ({@code AddDeliveredToHeader}, {@code RemoveMimeHeader}) was first read whole into
 * the heap by JavaMail's {@code saveChanges()}. No parameters.
 */
public final class SaveHeaderChanges extends GenericMailet {
    @Override
    public void init() throws MessagingException {
        checkInitParameters(java.util.Set.of());
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        SaveWithoutParsing.beforeWrite(mail.getMessage());
    }

    @Override
    public String getMailetInfo() {
        return "SaveHeaderChanges";
    }
}
