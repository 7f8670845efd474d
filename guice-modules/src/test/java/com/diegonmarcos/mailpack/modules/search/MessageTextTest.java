package com.diegonmarcos.mailpack.modules.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.modules.search.MessageText.HeaderField;
import com.diegonmarcos.mailpack.modules.search.MessageText.Scope;

class MessageTextTest {
    private static ByteArrayInputStream of(String message) {
        return new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean contains(String message, String needle, Scope scope) throws IOException {
        return MessageText.contains(of(message), SubstringMatcher.of(needle), scope);
    }

    @Test
    void headerFieldsAreUnfoldedAndTheirEncodedWordsDecoded() throws IOException {
        assertThat(MessageText.header(of("Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\n =?UTF-8?B?YXVzIEvDtmxu?=\r\n"
            + "From: =?utf-8?q?J=C3=BCrgen?= <j@example.net>\r\nX-Raw: caf\u00e9 au lait\r\n\r\nbody\r\n")))
            .containsExactly(new HeaderField("Subject", "Grüßeaus Köln"), new HeaderField("From", "Jürgen <j@example.net>"),
                new HeaderField("X-Raw", "café au lait"));
    }

    @Test
    void bodyIsDecodedFromQuotedPrintableInItsCharsetAndTheHeaderLeftOut() throws IOException {
        String message = "Subject: header only\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n"
            + "Content-Transfer-Encoding: quoted-printable\r\n\r\nSch=F6ne Gr=FC=DFe, zebra=\r\nstripes\r\n";
        assertThat(contains(message, "schöne grüße", Scope.BODY)).isTrue();
        assertThat(contains(message, "zebrastripes", Scope.BODY)).isTrue();
        assertThat(contains(message, "header only", Scope.BODY)).isFalse();
        assertThat(contains(message, "header only", Scope.TEXT)).isTrue();
    }

    @Test
    void base64TextPartsOfMultipartsAndAttachedMessagesAreSearchedButNotBinaryParts() throws IOException {
        String message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + java.util.Base64.getEncoder().encodeToString("Ünïcödé haystack".getBytes(StandardCharsets.UTF_8)) + "\r\n"
            + "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body text\r\n"
            + "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + java.util.Base64.getEncoder().encodeToString("binarysecret".getBytes(StandardCharsets.UTF_8)) + "\r\n--b--\r\n";
        assertThat(contains(message, "NÏCÖDÉ HAY", Scope.BODY)).isTrue();
        assertThat(contains(message, "ner body tex", Scope.BODY)).isTrue();
        assertThat(contains(message, "binarysecret", Scope.BODY)).isFalse();
    }

    @Test
    void anUnknownCharsetFallsBackToUtf8() throws IOException {
        assertThat(contains("Content-Type: text/plain; charset=x-nonsense\r\n\r\nplain words\r\n", "n words", Scope.BODY)).isTrue();
    }
}
