package com.diegonmarcos.mailpack.modules.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;

import javax.mail.internet.MimeMessage;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.MailAddress;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.jpa.JPAMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.openjpa.persistence.OpenJPAPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code jpa://} mail repositories on Derby: a mail from an IPv6 client, with a long error text, is kept. */
class BoundedJpaMailRepositoryTest {
    private static final String IPV6 = "2001:0db8:85a3:0000:0000:8a2e:0370:7334"; // 39 characters
    private final EntityManagerFactory entityManagerFactory = InMemoryDerby.entityManagerFactory("repository");

    @AfterEach
    void close() {
        entityManagerFactory.close();
    }

    private static Mail failedMail(String name, String error) throws Exception {
        MailImpl mail = MailImpl.builder()
            .name(name)
            .sender(new MailAddress("alice@example.org"))
            .addRecipient(new MailAddress("diego@diegonmarcos.com"))
            .remoteAddr(IPV6)
            .remoteHost("mx.example.org")
            .mimeMessage(new MimeMessage(null, new ByteArrayInputStream(
                ("From: alice@example.org\r\nSubject: " + name + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII))))
            .build();
        mail.setErrorMessage(error);
        return mail;
    }

    @Test
    void jamesColumnsRefuseAMailFromAnIpv6ClientWithALongError() throws Exception {
        // what James 3.8.1 does on its own schema: the store fails, the spooler retries the mail until it is poison
        JPAMailRepository james = new JPAMailRepository(entityManagerFactory, MailRepositoryUrl.from("jpa://var/mail/error/"));
        assertThatThrownBy(() -> james.store(failedMail("ipv6", "short")))
            .hasMessageContaining("Exception caught while storing mail");
    }

    @Test
    void aMailFromAnIpv6ClientWithALongErrorIsKeptWithItsErrorCut() throws Exception {
        MailRepositoryColumns.widen(entityManagerFactory);
        BoundedJpaMailRepository repository = new BoundedJpaMailRepository(entityManagerFactory, MailRepositoryUrl.from("jpa://var/mail/error/"));
        String error = "java.lang.IllegalStateException: " + "the mailbox store said no, ".repeat(100);
        Mail mail = failedMail("long-error", error);

        MailKey key = repository.store(mail);

        Mail kept = repository.retrieve(key);
        assertThat(kept.getRemoteAddr()).isEqualTo(IPV6);
        assertThat(kept.getErrorMessage()).hasSize(MailRepositoryColumns.ERROR_MESSAGE)
            .startsWith("java.lang.IllegalStateException: the mailbox store said no,").endsWith(" [...]");
        assertThat(mail.getErrorMessage()).as("the mail itself is left as it was").isEqualTo(error);
        assertThat(repository.size()).isEqualTo(1);
    }

    @Test
    void wideningTwiceChangesNothingTheSecondTime() throws Exception {
        MailRepositoryColumns.widen(entityManagerFactory);
        MailRepositoryColumns.widen(entityManagerFactory);

        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            Connection connection = (Connection) OpenJPAPersistence.cast(entityManager).getConnection();
            try {
                assertThat(MailRepositoryColumns.width(connection.getMetaData(), "REMOTE_ADDR")).hasValue(MailRepositoryColumns.REMOTE_ADDR);
                assertThat(MailRepositoryColumns.width(connection.getMetaData(), "ERROR_MESSAGE")).hasValue(MailRepositoryColumns.ERROR_MESSAGE);
            } finally {
                connection.close();
            }
        } finally {
            entityManager.close();
        }
    }
}
