package com.diegonmarcos.mailpack.mailets;

import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * Writes the name the mail queue knows this mail by into header {@value #HEADER} (replacing any
 * such field from outside), so that the mailbox store can record the delivery in the transaction
 * that stores the message and a redelivery after a crash is recognised (the store's
 * {@code AlreadyDelivered} matcher). Use first in "transport", before any matcher splits the mail
 * (a split part gets a new name); remove the field before mail leaves (the "relay" processor).
 * No parameters.
 */
public final class StampQueueId extends GenericMailet {
    public static final String HEADER = "X-Mailpack-Queue-Id";

    @Override
    public void init() throws MessagingException {
        checkInitParameters(Set.of());
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        mail.getMessage().setHeader(HEADER, mail.getName());
    }

    @Override
    public String getMailetInfo() {
        return "StampQueueId";
    }
}
