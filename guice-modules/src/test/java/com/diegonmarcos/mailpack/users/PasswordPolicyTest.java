package com.diegonmarcos.mailpack.users;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordPolicyTest {
    static final String DIEGO = "diego@diegonmarcos.com";

    PasswordPolicy policy = PasswordPolicy.withBundledList();

    void assertRefused(String password, String rule) {
        assertThatThrownBy(() -> policy.check(DIEGO, password))
            .isInstanceOf(PasswordPolicy.WeakPasswordException.class)
            .hasMessageStartingWith("Password policy: ")
            .hasMessageContaining(rule);
    }

    @Nested
    class Length {
        @Test
        void fifteenCharactersAreRefusedNamingTheRuleAndTheLength() {
            assertThatThrownBy(() -> policy.check(DIEGO, "a-15-char-pass!"))
                .isInstanceOf(PasswordPolicy.WeakPasswordException.class)
                .hasMessage("Password policy: the password must be at least 16 characters long (it has 15)");
        }

        @Test
        void lengthCountsCharactersNotBytes() {
            assertRefused("éèêëàâäîïôöùûüç", "it has 15");
            assertThatCode(() -> policy.check(DIEGO, "éèêëàâäîïôöùûüçœ")).doesNotThrowAnyException();
        }

        @Test
        void nullIsRefused() {
            assertRefused(null, "required");
        }
    }

    @Nested
    class PlaceholdersAndPublishedExamples {
        @ParameterizedTest
        @ValueSource(strings = {"<your passphrase of 16+ characters>", "<a-passphrase-of-your-own-16+>", " <another one of your own> "})
        void aPlaceholderInAngleBracketsIsRefused(String password) {
            assertRefused(password, "placeholder");
        }

        @Test
        void angleBracketsInsideAGeneratedPasswordAreFine() {
            assertThatCode(() -> policy.check(DIEGO, "k<9xT>q2!vR7#mWz")).doesNotThrowAnyException();
        }

        /** What the banner, README.md and docker/mailpack-admin printed before: public, so refused. */
        @ParameterizedTest
        @ValueSource(strings = {"a-long-passphrase-of-16+-chars", "a-long-passphrase-16+", "another-long-passphrase",
            "A-Long-Passphrase-16+", "another-long-passphrase-2024!", "4n0th3r-l0ng-p4ssphr4s3"})
        void examplesPublishedByMailpackAreRefused(String password) {
            assertRefused(password, "example published in mailpack's documentation");
        }
    }

    @Nested
    class UserName {
        @ParameterizedTest
        @ValueSource(strings = {"diego@diegonmarcos.com", "DIEGO@DIEGONMARCOS.COM", "diego-is-my-login-diego",
            "my-name-is-Diego-2024!", "d1eg0-has-a-long-one", "diego@diegonmarcos.com-2024"})
        void passwordsWithTheLocalPartOrTheAddressAreRefused(String password) {
            assertRefused(password, "contains the user name");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Diegonmarcos2024!!", "my-mail-at-diegonmarcos-1", "d1egonm4rcos-is-home"})
        void passwordsWithTheDomainNameAreRefused(String password) {
            assertThatThrownBy(() -> policy.check("bob@diegonmarcos.com", password)).hasMessageContaining("contains the domain name");
        }

        @Test
        void aLocalPartWithPunctuationIsLookedForWithoutIt() {
            assertThatThrownBy(() -> policy.check("j.smith@example.org", "hello-jsmith-horse-battery"))
                .hasMessageContaining("contains the user name");
        }

        @Test
        void veryShortLocalPartsAreNotLookedFor() {
            assertThatCode(() -> policy.check("al@example.org", "totally-unrelated-alpine-words")).doesNotThrowAnyException();
        }

        @Test
        void withoutAUserNameOnlyThePasswordIsChecked() {
            assertThatCode(() -> policy.check(null, "diego-is-my-login-diego")).doesNotThrowAnyException();
        }

        @Test
        void anotherUsersNameIsFine() {
            assertThatCode(() -> policy.check("bob@second.example", "diego-is-my-login-diego")).doesNotThrowAnyException();
        }
    }

    @Nested
    class CommonPasswords {
        @ParameterizedTest
        @ValueSource(strings = {"passwordpassword", "PasswordPassword", "1234567890123456", "qwertyuiopasdfgh",
            "passwordpassword!!", "2024passwordpassword", "p@ssw0rdp@ssw0rd", "c0rr3cth0rs3b4tt3ryst4pl3", "TRUSTNO1trustno1"})
        void commonPasswordsAreRefusedAlsoDisguised(String password) {
            assertRefused(password, "common passwords");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Password1234567!", "P@ssw0rd12345678", "!!Welcome2024!!!", "welcome-password-1",
            "iloveyou-sunshine-42", "Summer2024Summer2024", "Qwerty!123456789", "admin-admin-admin-1"})
        void commonWordsWithDigitsOrSymbolsAreRefused(String password) {
            // both rules may apply: password12345678 is listed, password is a common word
            assertThatThrownBy(() -> policy.check(DIEGO, password)).hasMessageMatching(
                "Password policy: the password (is in the list of common passwords|is made of common words with only digits or symbols added .*)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"iloveyou-sunshine-42", "Monkey!Dragon!2024", "september-2024-september"})
        void wordsThatNoListedPasswordHoldAreRefusedByTheWordRule(String password) {
            assertRefused(password, "made of common words with only digits or symbols added (like Password1234!)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"abcdefghijklmnopq", "98765432109876543", "zyxwvutsrqponmlk", "1234-5678-9012-3456", "asdfghjklzxcvbnm"})
        void sequencesAreRefused(String password) {
            assertThatThrownBy(() -> policy.check(DIEGO, password))
                .hasMessageMatching("Password policy: the password (is a sequence|is in the list of common passwords).*");
        }
    }

    @Nested
    class Repetition {
        @ParameterizedTest
        @ValueSource(strings = {"xxxxxxxxxxxxxxxxxxxx", "abababababababababab", "abcdabcdabcdabcdab", "abcdeabcdeabcdeabcde",
            "horse-staple-9horse-staple-9"})
        void aShorterPasswordRepeatedIsRefused(String password) {
            assertRefused(password, "repeated");
        }

        @Test
        void sixteenCharactersRepeatedAreFine() {
            assertThatCode(() -> policy.check(DIEGO, "k2#vR7mWzq9!xT4bk2#vR7mWzq9!xT4b")).doesNotThrowAnyException();
        }

        @ParameterizedTest
        @ValueSource(strings = {"1111111122222222", "aaaabbbbccccaaaabbbb", "zz99zz99zz99zzz9"})
        void fewerThanSixDifferentCharactersAreRefused(String password) {
            assertThatThrownBy(() -> policy.check(DIEGO, password)).hasMessageMatching(
                "Password policy: the password (must have at least 6 different characters \\(it has \\d\\)|is a shorter sequence repeated)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sixteen-chars-ok", "correct-horse-battery-staple", "routing-test-passphrase-0001",
        "original-password-123456", "first-password-0123456789", "bench-password-0123456789", "k2#vR7mWzq9!xT4b",
        "summer-holiday-in-lisbon-2024", "5829-1047-3361-8820"})
    void reasonablePasswordsPass(String password) {
        assertThatCode(() -> policy.check(DIEGO, password)).doesNotThrowAnyException();
    }
}
