package com.diegonmarcos.mailpack.modules.jpa;

import java.nio.charset.StandardCharsets;
import java.util.Date;

import javax.mail.Flags;

import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.model.DefaultMessageId;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;

/** Messages to append through the JPA mappers in tests, as a delivery hands them over. */
final class TestMessages {
    static final String HEADER = "From: a@example.org\r\nSubject: hello\r\n\r\n";

    private TestMessages() {
    }

    /** A new message for {@code mailbox}: {@link #HEADER}, then {@code body}, with {@code flags}. */
    static MailboxMessage message(Mailbox mailbox, String body, Flags flags) {
        byte[] content = (HEADER + body).getBytes(StandardCharsets.US_ASCII);
        DefaultMessageId messageId = new DefaultMessageId();
        return SimpleMailboxMessage.builder()
            .messageId(messageId)
            .threadId(ThreadId.fromBaseMessageId(messageId))
            .mailboxId(mailbox.getMailboxId())
            .internalDate(new Date())
            .size(content.length)
            .bodyStartOctet(HEADER.length())
            .content(new ByteContent(content))
            .flags(flags)
            .properties(new PropertyBuilder())
            .build();
    }
}
