package com.diegonmarcos.mailpack.modules.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.mailetcontainer.api.MailProcessor;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.mailrepository.memory.MemoryMailRepositoryStore;
import org.apache.james.mailrepository.memory.MemoryMailRepositoryUrlStore;
import org.apache.james.queue.activemq.ActiveMQSupport;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoundedAttemptsMailProcessorTest {
    static final MailRepositoryUrl POISON = MailRepositoryUrl.from("memory://var/mail/poison/");

    @TempDir
    Path directory;
    ProcessingAttempts attempts;
    MemoryMailRepositoryStore repositories;
    final List<String> processed = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        attempts = new ProcessingAttempts(directory, Clock.systemUTC());
        repositories = new MemoryMailRepositoryStore(new MemoryMailRepositoryUrlStore(), (className, url) -> new MemoryMailRepository(),
            MailRepositoryStoreConfiguration.forItems(new MailRepositoryStoreConfiguration.Item(List.of(new Protocol("memory")),
                MemoryMailRepository.class.getName(), new BaseHierarchicalConfiguration())));
        repositories.init();
    }

    BoundedAttemptsMailProcessor processor(MailProcessor james) {
        return new BoundedAttemptsMailProcessor(james, attempts, new PoisonSettings(3, POISON), repositories, directory.resolve("poison-raw"));
    }

    static FakeMail mail(String name) throws Exception {
        return FakeMail.builder().name(name).sender("alice@example.org").recipient("diego@diegonmarcos.com")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("poison").setText("the body " + name))
            .attribute(new Attribute(ActiveMQSupport.JAMES_BLOB_URL, AttributeValue.of("file:/var/store/blob/1")))
            .state("root")
            .build();
    }

    MailRepository poison() throws Exception {
        return repositories.select(POISON);
    }

    @Test
    void theAttemptIsRecordedBeforeProcessingAndForgottenAfter() throws Exception {
        processor(mail -> processed.add(mail.getName() + ":" + attempts.previous(mail.getName()).attempts())).service(mail("Mail1"));

        assertThat(processed).containsExactly("Mail1:1"); // a JVM dying here would leave the count behind
        assertThat(attempts.previous("Mail1")).isEqualTo(ProcessingAttempts.Record.NONE);
    }

    @Test
    void anErrorIsHandedToTheSpoolerAsAnExceptionAndCounted() throws Exception {
        MailProcessor overflowing = mail -> {
            throw new StackOverflowError();
        };
        assertThatThrownBy(() -> processor(overflowing).service(mail("Mail1")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("java.lang.StackOverflowError");
        assertThat(attempts.previous("Mail1")).isEqualTo(new ProcessingAttempts.Record(1, Optional.of("java.lang.StackOverflowError")));
    }

    @Test
    void exceptionsAreHandedOnUnchanged() throws Exception {
        MessagingException thrown = new MessagingException("LocalDelivery failed");
        assertThatThrownBy(() -> processor(mail -> {
            throw thrown;
        }).service(mail("Mail1"))).isSameAs(thrown);
        assertThat(attempts.previous("Mail1").attempts()).isEqualTo(1);
    }

    @Test
    void afterThreeFailedAttemptsTheMailIsPutAsideUnprocessed() throws Exception {
        MailProcessor crashing = mail -> {
            processed.add(mail.getName());
            throw new OutOfMemoryError("Java heap space");
        };
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThatThrownBy(() -> processor(crashing).service(mail("Mail1"))).isInstanceOf(MessagingException.class);
        }
        FakeMail fourth = mail("Mail1");
        processor(crashing).service(fourth);

        assertThat(processed).hasSize(3);
        assertThat(fourth.getState()).isEqualTo(Mail.GHOST);
        assertThat(poison().size()).isEqualTo(1);
        Mail kept = poison().retrieve(new MailKey("Mail1"));
        assertThat(kept.getMaybeSender().asString()).isEqualTo("alice@example.org");
        assertThat(kept.getErrorMessage()).isEqualTo("mailpack: processing failed 3 times; last error: java.lang.OutOfMemoryError: Java heap space");
        assertThat(kept.getAttribute(ActiveMQSupport.JAMES_BLOB_URL)).isEmpty();
        assertThat(new String(new MimeMessageInputStream(kept.getMessage()).readAllBytes(), StandardCharsets.UTF_8)).contains("the body Mail1");
        assertThat(attempts.previous("Mail1")).isEqualTo(ProcessingAttempts.Record.NONE);
    }

    @Test
    void attemptsDuringWhichTheProcessDiedCountToo() throws Exception {
        attempts.begin("Mail1", 1, Optional.empty());
        attempts.begin("Mail1", 2, Optional.empty());
        attempts.begin("Mail1", 3, Optional.empty()); // three processes died processing it

        processor(mail -> processed.add(mail.getName())).service(mail("Mail1"));

        assertThat(processed).isEmpty();
        assertThat(poison().retrieve(new MailKey("Mail1")).getErrorMessage()).contains("failed 3 times", "server process ended");
    }

    @Test
    void aMailThatKilledTheProcessWhilePutAsideIsWrittenToAFileNotLooped() throws Exception {
        attempts.begin("Mail1", 4, Optional.empty());
        FakeMail mail = mail("Mail1");

        processor(m -> processed.add(m.getName())).service(mail);

        assertThat(processed).isEmpty();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(Files.readString(directory.resolve("poison-raw").resolve("Mail1.eml"))).contains("Subject: poison", "the body Mail1");
        assertThat(attempts.previous("Mail1")).isEqualTo(ProcessingAttempts.Record.NONE);
    }

    @Test
    void aMailThatKilledTheProcessTwiceWhilePutAsideIsDroppedNotLooped() throws Exception {
        attempts.begin("Mail1", 5, Optional.empty());
        FakeMail mail = mail("Mail1");

        processor(m -> processed.add(m.getName())).service(mail);

        assertThat(processed).isEmpty();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(attempts.previous("Mail1")).isEqualTo(ProcessingAttempts.Record.NONE);
    }

    @Test
    void otherMailIsNotAffected() throws Exception {
        attempts.begin("Mail1", 3, Optional.empty());
        processor(mail -> processed.add(mail.getName())).service(mail("Mail2"));
        assertThat(processed).containsExactly("Mail2");
        assertThat(poison().size()).isZero();
    }
}
