package com.diegonmarcos.mailpack.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import javax.mail.MessagingException;

import org.apache.james.core.Username;
import org.apache.mailet.StorageDirective;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class FileIntoJunkTest {
    /** the only domain {@link FakeMailContext} treats as local */
    private static final String DOMAIN = "localhost";

    private static FileIntoJunk mailet(String folder) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("FileIntoJunk")
            .mailetContext(FakeMailContext.defaultContext());
        if (folder != null) {
            config.setProperty("folder", folder);
        }
        FileIntoJunk mailet = new FileIntoJunk();
        mailet.init(config.build());
        return mailet;
    }

    private static FakeMail mail() throws MessagingException {
        return FakeMail.builder().name("m1").sender("someone@example.org")
            .recipients("diego@" + DOMAIN, "friend@example.net")
            .build();
    }

    private static java.util.Optional<String> folderOf(FakeMail mail, String address) {
        return StorageDirective.fromMail(Username.of(address), mail).getTargetFolder();
    }

    @Test
    void markedMailGoesToTheJunkFolderOfLocalRecipientsOnly() throws MessagingException {
        FakeMail mail = mail();
        FileIntoJunk.mark(mail, "dmarc=quarantine");

        mailet(null).service(mail);

        assertThat(folderOf(mail, "diego@" + DOMAIN)).contains("Spam");
        assertThat(folderOf(mail, "friend@example.net")).isEmpty();
    }

    @Test
    void unmarkedMailIsLeftAlone() throws MessagingException {
        FakeMail mail = mail();

        mailet(null).service(mail);

        assertThat(folderOf(mail, "diego@" + DOMAIN)).isEmpty();
    }

    @Test
    void reasonsAccumulate() throws MessagingException {
        FakeMail mail = mail();
        FileIntoJunk.mark(mail, "dmarc=quarantine");
        FileIntoJunk.mark(mail, "rspamd: add header (7.5)");

        assertThat(FileIntoJunk.reasons(mail)).contains("dmarc=quarantine; rspamd: add header (7.5)");
    }

    @Test
    void theFolderIsConfigurable() throws MessagingException {
        FakeMail mail = mail();
        FileIntoJunk.mark(mail, "spam");

        mailet("Junk").service(mail);

        assertThat(folderOf(mail, "diego@" + DOMAIN)).contains("Junk");
    }

    @Test
    void anEmptyFolderIsAConfigurationError() {
        assertThatThrownBy(() -> mailet(" ")).isInstanceOf(MessagingException.class).hasMessageContaining("folder");
    }

    @Test
    void readmeDocumentsTheParameters() throws IOException {
        assertThat(ReadmeParametersTest.documentedParameters("FileIntoJunk")).containsExactlyInAnyOrderElementsOf(FileIntoJunk.PARAMETERS);
    }
}
