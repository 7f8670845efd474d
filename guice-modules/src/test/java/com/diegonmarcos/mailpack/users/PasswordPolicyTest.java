package com.diegonmarcos.mailpack.users;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {
    PasswordPolicy policy = PasswordPolicy.withBundledList();

    @Test
    void fifteenCharactersAreRefusedNamingTheRuleAndTheLength() {
        assertThatThrownBy(() -> policy.check("a-15-char-pass!"))
            .isInstanceOf(PasswordPolicy.WeakPasswordException.class)
            .hasMessage("Password policy: the password must be at least 16 characters long (it has 15)");
    }

    @Test
    void lengthCountsCharactersNotBytes() {
        assertThatThrownBy(() -> policy.check("ééééééééééééééé")).hasMessageContaining("it has 15");
        assertThatCode(() -> policy.check("éééééééééééééxyz")).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"passwordpassword", "PasswordPassword", "1234567890123456", "qwertyuiopasdfgh"})
    void commonPasswordsAreRefused(String password) {
        assertThatThrownBy(() -> policy.check(password)).hasMessageContaining("common passwords");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xxxxxxxxxxxxxxxxxxxx", "abababababababababab", "abcdabcdabcdabcdab"})
    void repetitionsAreRefused(String password) {
        assertThatThrownBy(() -> policy.check(password)).hasMessageContaining("repeated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sixteen-chars-ok", "correct-horse-battery-staple", "abcdeabcdeabcdeabcde"})
    void reasonablePasswordsPass(String password) {
        assertThatCode(() -> policy.check(password)).doesNotThrowAnyException();
    }

    @Test
    void nullIsRefused() {
        assertThatThrownBy(() -> policy.check(null)).hasMessageContaining("required");
    }
}
