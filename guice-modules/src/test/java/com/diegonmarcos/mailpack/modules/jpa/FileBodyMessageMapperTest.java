package com.diegonmarcos.mailpack.modules.jpa;

import static com.diegonmarcos.mailpack.modules.jpa.TestMessages.HEADER;
import static com.diegonmarcos.mailpack.modules.jpa.TestMessages.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.mail.Flags;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.mailbox.jpa.mail.JPAMailboxMapper;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Big bodies in files, small ones in the database, on an in-memory Derby database. */
class FileBodyMessageMapperTest {
    private static final String BIG_BODY = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\r\n".repeat(20_000); // 1.5 MB

    @TempDir
    Path root;
    private EntityManagerFactory entityManagerFactory;
    private JPAMailboxMapper mailboxes;
    private FileBodyMessageMapper messages;
    private BodyFiles bodyFiles;

    @BeforeEach
    void setUp() throws IOException {
        entityManagerFactory = InMemoryDerby.entityManagerFactory("file-body");
        mailboxes = new JPAMailboxMapper(entityManagerFactory);
        bodyFiles = new BodyFiles(root.resolve("bodies"));
        messages = new FileBodyMessageMapper(entityManagerFactory, new RecentAppends(), bodyFiles);
    }

    @AfterEach
    void tearDown() {
        messages.endRequest();
        mailboxes.endRequest();
        entityManagerFactory.close();
    }

    private Mailbox mailbox(String user, String name) throws Exception {
        return mailboxes.execute(() -> mailboxes.create(new MailboxPath("#private", Username.of(user), name), UidValidity.of(42)).block());
    }

    private static String content(MailboxMessage message) throws IOException {
        try (InputStream in = message.getFullContent()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private MailboxMessage read(Mailbox mailbox, MessageMetaData added) throws org.apache.james.mailbox.exception.MailboxException {
        return messages.findInMailbox(mailbox, MessageRange.one(added.getUid()), FetchType.FULL, 1).next();
    }

    @Test
    void aBigBodyIsAFileTheDatabaseRowHasOnlyTheHeaderAndAReadGivesTheWholeMessage() throws Exception {
        Mailbox inbox = mailbox("diego@diegonmarcos.com", "INBOX");

        MessageMetaData added = messages.execute(() -> messages.add(inbox, message(inbox, BIG_BODY, new Flags())));

        Path file = bodyFiles.path(inbox.getMailboxId(), added.getUid());
        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).isEqualTo(BIG_BODY);
        MailboxMessage row = messages.findInMailbox(inbox, MessageRange.one(added.getUid()), FetchType.METADATA, 1).next();
        try (InputStream body = row.getBodyContent()) {
            assertThat(body.readAllBytes()).isEmpty();
        }
        MailboxMessage stored = read(inbox, added);
        assertThat(content(stored)).isEqualTo(HEADER + BIG_BODY);
        assertThat(stored.getFullContentOctets()).isEqualTo(HEADER.length() + BIG_BODY.length());
        assertThat(stored.getBodyOctets()).isEqualTo(BIG_BODY.length());
    }

    @Test
    void aSmallMessageStaysInTheDatabase() throws Exception {
        Mailbox inbox = mailbox("diego@diegonmarcos.com", "INBOX");

        MessageMetaData added = messages.execute(() -> messages.add(inbox, message(inbox, "small\r\n", new Flags())));

        assertThat(Files.exists(bodyFiles.path(inbox.getMailboxId(), added.getUid()))).isFalse();
        assertThat(content(read(inbox, added))).isEqualTo(HEADER + "small\r\n");
    }

    @Test
    void aCopyLinksTheFileAndAnExpungeDeletesOnlyItsOwnNameOnceCommitted() throws Exception {
        Mailbox inbox = mailbox("diego@diegonmarcos.com", "INBOX");
        Mailbox archive = mailbox("diego@diegonmarcos.com", "Archive");
        MessageMetaData added = messages.execute(() -> messages.add(inbox, message(inbox, BIG_BODY, new Flags())));

        MailboxMessage original = read(inbox, added);
        MessageMetaData copied = messages.execute(() -> messages.copy(archive, original));

        assertThat(content(read(archive, copied))).isEqualTo(HEADER + BIG_BODY);
        messages.execute(() -> messages.deleteMessages(inbox, List.of(added.getUid())));
        assertThat(Files.exists(bodyFiles.path(inbox.getMailboxId(), added.getUid()))).isFalse();
        assertThat(content(read(archive, copied))).isEqualTo(HEADER + BIG_BODY);
    }

    @Test
    void aRolledBackExpungeKeepsTheFile() throws Exception {
        Mailbox inbox = mailbox("diego@diegonmarcos.com", "INBOX");
        MessageMetaData added = messages.execute(() -> messages.add(inbox, message(inbox, BIG_BODY, new Flags())));

        try {
            messages.execute(() -> {
                messages.deleteMessages(inbox, List.of(added.getUid()));
                throw new org.apache.james.mailbox.exception.MailboxException("the transaction fails");
            });
        } catch (org.apache.james.mailbox.exception.MailboxException expected) {
            // rolled back
        }

        assertThat(Files.exists(bodyFiles.path(inbox.getMailboxId(), added.getUid()))).isTrue();
        assertThat(content(read(inbox, added))).isEqualTo(HEADER + BIG_BODY);
    }
}
