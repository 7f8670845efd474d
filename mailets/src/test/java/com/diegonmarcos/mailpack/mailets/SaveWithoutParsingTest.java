package com.diegonmarcos.mailpack.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;

import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.junit.jupiter.api.Test;

/** Writing a received multipart message after a header change, as hooks and mailets do. */
class SaveWithoutParsingTest {
    private static final String BODY = "--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
        + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n").repeat(4000)
        + "--b1--\r\n";
    private static final String RAW = "From: alice@example.org\r\nTo: diego@diegonmarcos.com\r\nSubject: attachment\r\n"
        + "Message-ID: <a1@example.org>\r\nDate: Fri, 4 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" + BODY;

    private static MimeMessageWrapper received() throws Exception {
        MimeMessageWrapper message = new MimeMessageWrapper(MimeMessageInputStreamSource.create("m1",
            new ByteArrayInputStream(RAW.getBytes(StandardCharsets.US_ASCII))));
        message.addHeader("Authentication-Results", "mail.diegonmarcos.com; dmarc=pass"); // as DmarcCheck does
        return message;
    }

    private static boolean parsed(MimeMessageWrapper message) throws Exception {
        Field field = MimeMessageWrapper.class.getDeclaredField("messageParsed");
        field.setAccessible(true);
        return field.getBoolean(message);
    }

    @Test
    void aPlainWriteParsesTheWholeMessageIntoTheHeap() throws Exception {
        MimeMessageWrapper message = received();
        message.writeTo(new ByteArrayOutputStream());
        assertThat(parsed(message)).as("what every copy for rspamd, clamd and DKIM did").isTrue();
    }

    @Test
    void theWriteKeepsTheBodyInItsSourceAndWritesItByteExactWithTheNewHeader() throws Exception {
        MimeMessageWrapper message = received();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        SaveWithoutParsing.writeTo(message, out);

        assertThat(parsed(message)).isFalse();
        String written = out.toString(StandardCharsets.US_ASCII);
        assertThat(written).contains("Authentication-Results: mail.diegonmarcos.com; dmarc=pass\r\n", "Message-ID: <a1@example.org>\r\n")
            .endsWith("\r\n\r\n" + BODY);
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        SaveWithoutParsing.writeTo(message, again);
        assertThat(again.toString(StandardCharsets.US_ASCII)).isEqualTo(written);
    }
}
