package com.diegonmarcos.mailpack.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class AuthenticationResultsTest {
    static DkimResult result(AuthResult result, String reason) {
        return new DkimResult(result, Optional.of("example.org"), Optional.of("sel"), Optional.of("ed25519-sha256"),
            Optional.of("@example.org"), Optional.of("ab/cd+ef"), reason, false, OptionalLong.empty());
    }

    @Test
    void noSignatureIsNone() {
        assertThat(AuthenticationResults.value("mail.diegonmarcos.com", List.of())).isEqualTo(" mail.diegonmarcos.com; dkim=none");
    }

    @Test
    void oneResultPerSignatureWithPropertiesAndQuotedReasons() {
        String value = AuthenticationResults.value("mail.diegonmarcos.com",
            List.of(result(AuthResult.PASS, ""), result(AuthResult.FAIL, "body hash \"did\" not verify")));

        assertThat(value).isEqualTo(" mail.diegonmarcos.com;\r\n"
            + "\tdkim=pass header.d=example.org header.i=@example.org header.s=sel header.a=ed25519-sha256 header.b=\"ab/cd+ef\";\r\n"
            + "\tdkim=fail reason=\"body hash \\\"did\\\" not verify\" header.d=example.org header.i=@example.org header.s=sel"
            + " header.a=ed25519-sha256 header.b=\"ab/cd+ef\"");
    }

    @Test
    void reasonsCannotBreakTheField() {
        String value = AuthenticationResults.value("mx", List.of(result(AuthResult.NEUTRAL, "a\r\nX-Injected: yes\u00ff")));

        assertThat(value).doesNotContain("\r\nX-Injected").contains("reason=\"a??X-Injected: yes?\"");
    }

    @Test
    void authservIdIsRecognisedThroughCommentsVersionsAndCase() {
        assertThat(AuthenticationResults.claims(" MAIL.diegonmarcos.com; dkim=pass", "mail.diegonmarcos.com")).isTrue();
        assertThat(AuthenticationResults.claims(" (comment) mail.diegonmarcos.com 1; spf=pass", "mail.diegonmarcos.com")).isTrue();
        assertThat(AuthenticationResults.claims("\r\n\tmail.diegonmarcos.com;\r\n\tdkim=fail", "mail.diegonmarcos.com")).isTrue();
        assertThat(AuthenticationResults.claims(" mx.google.com; dkim=pass header.d=diegonmarcos.com", "mail.diegonmarcos.com")).isFalse();
        assertThat(AuthenticationResults.claims(" mail.diegonmarcos.com.evil.example; dkim=pass", "mail.diegonmarcos.com")).isFalse();
        assertThat(AuthenticationResults.claims("", "mail.diegonmarcos.com")).isFalse();
    }
}
