package com.diegonmarcos.mailpack.modules.jpa;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.MailAddress;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * The recipients this mail was already stored for: a mail the queue handed out again after a crash
 * between the mailbox commit and the queue's acknowledgement. Reads the queue id from the message's
 * {@value DeliveryLedger#HEADER} field (set by {@code StampQueueId}) and looks each recipient's
 * user up in {@link DeliveryLedger}; a mail without the field matches nobody. Use before the local
 * delivery, with a mailet that drops what it gets: {@code <mailet match="...AlreadyDelivered" class="Null"/>}.
 *
 * <p>In this module, not with the other matchers: it reads the mailbox store's own table.
 */
public class AlreadyDelivered extends GenericMatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(AlreadyDelivered.class);
    private final EntityManagerFactory entityManagerFactory;
    private final UsersRepository usersRepository;

    @Inject
    public AlreadyDelivered(EntityManagerFactory entityManagerFactory, UsersRepository usersRepository) {
        this.entityManagerFactory = entityManagerFactory;
        this.usersRepository = usersRepository;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        String[] values = mail.getMessage().getHeader(DeliveryLedger.HEADER);
        Optional<String> queueId = values == null || values.length == 0 ? Optional.empty() : DeliveryLedger.validId(values[0]);
        if (queueId.isEmpty()) {
            return List.of();
        }
        ImmutableList.Builder<MailAddress> delivered = ImmutableList.builder();
        for (MailAddress recipient : mail.getRecipients()) {
            try {
                if (DeliveryLedger.isRecorded(entityManagerFactory, queueId.get(), usersRepository.getUsername(recipient))) {
                    delivered.add(recipient);
                }
            } catch (UsersRepositoryException e) {
                throw new MessagingException("Cannot resolve the user of " + recipient.asString(), e);
            }
        }
        ImmutableList<MailAddress> matched = delivered.build();
        if (!matched.isEmpty()) {
            LOGGER.info("Mail {} was already stored for {} before a restart: not stored again", queueId.get(), matched);
        }
        return matched;
    }

    @Override
    public String getMatcherInfo() {
        return "AlreadyDelivered";
    }
}
