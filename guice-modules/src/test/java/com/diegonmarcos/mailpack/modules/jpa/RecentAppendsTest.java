package com.diegonmarcos.mailpack.modules.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Date;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.model.DefaultMessageId;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.junit.jupiter.api.Test;

class RecentAppendsTest {
    private static MailboxMessage message(long mailbox, long uid, int bytes) {
        byte[] content = ("Subject: x\r\n\r\n" + "a".repeat(Math.max(0, bytes - 14))).getBytes(StandardCharsets.US_ASCII);
        DefaultMessageId messageId = new DefaultMessageId();
        return SimpleMailboxMessage.builder()
            .messageId(messageId)
            .threadId(ThreadId.fromBaseMessageId(messageId))
            .mailboxId(JPAId.of(mailbox))
            .uid(MessageUid.of(uid))
            .modseq(ModSeq.of(uid))
            .internalDate(new Date())
            .size(content.length)
            .bodyStartOctet(14)
            .content(new ByteContent(content))
            .flags(new Flags())
            .properties(new PropertyBuilder())
            .build();
    }

    @Test
    void aCopyIsTakenOnce() {
        RecentAppends appends = new RecentAppends();
        appends.remember(message(1, 7, 100));

        assertThat(appends.take(JPAId.of(2), MessageUid.of(7))).isEmpty();
        assertThat(appends.take(JPAId.of(1), MessageUid.of(7))).hasValueSatisfying(copy -> assertThat(copy.getUid()).isEqualTo(MessageUid.of(7)));
        assertThat(appends.take(JPAId.of(1), MessageUid.of(7))).isEmpty();
        assertThat(appends.size()).isZero();
        assertThat(appends.bytes()).isZero();
    }

    @Test
    void theOldestCopiesGoWhenTooManyAreKept() {
        RecentAppends appends = new RecentAppends();
        for (long uid = 1; uid <= RecentAppends.MAX_MESSAGES + 10; uid++) {
            appends.remember(message(1, uid, 100));
        }

        assertThat(appends.size()).isEqualTo(RecentAppends.MAX_MESSAGES);
        assertThat(appends.take(JPAId.of(1), MessageUid.of(10))).isEmpty();
        assertThat(appends.take(JPAId.of(1), MessageUid.of(11))).isPresent();
    }

    @Test
    void theOldestCopiesGoWhenTooManyBytesAreKept() {
        RecentAppends appends = new RecentAppends();
        int size = (int) (RecentAppends.MAX_BYTES / 4);
        for (long uid = 1; uid <= 6; uid++) {
            appends.remember(message(1, uid, size));
        }

        assertThat(appends.bytes()).isLessThanOrEqualTo(RecentAppends.MAX_BYTES);
        assertThat(appends.take(JPAId.of(1), MessageUid.of(1))).isEmpty();
        assertThat(appends.take(JPAId.of(1), MessageUid.of(6))).isPresent();
    }

    @Test
    void aMessageTooBigForTheBudgetIsNotKept() {
        RecentAppends appends = new RecentAppends();
        appends.remember(message(1, 1, (int) (RecentAppends.MAX_BYTES / 4) + 1));

        assertThat(appends.size()).isZero();
        assertThat(appends.bytes()).isZero();
    }
}
