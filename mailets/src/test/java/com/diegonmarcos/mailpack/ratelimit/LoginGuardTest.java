package com.diegonmarcos.mailpack.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LoginGuardTest {
    static final String IP = "192.0.2.7";
    static final String OTHER_IP = "198.51.100.9";
    static final String DIEGO = "diego@diegonmarcos.com";

    static final class MovingClock extends Clock {
        private Instant now = Instant.parse("2026-11-21T08:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final MovingClock clock = new MovingClock();
    final LoginGuard guard = new LoginGuard(new LoginGuardSettings(5, 20, Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofHours(24)), clock);

    void fail(int times, String ip, String user) {
        for (int i = 0; i < times; i++) {
            guard.failed("imap", ip, user);
        }
    }

    @Nested
    class Bans {
        @Test
        void fiveFailuresFromOneAddressShouldBanItForAnyAccount() {
            fail(4, IP, DIEGO);
            assertThat(guard.refusal("imap", IP, DIEGO)).isEmpty();
            fail(1, IP, DIEGO);
            assertThat(guard.refusal("imap", IP, "someone-else@diegonmarcos.com")).hasValueSatisfying(ban -> {
                assertThat(ban.kind()).isEqualTo(Ban.Kind.ip);
                assertThat(ban.until()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
            });
            assertThat(guard.refusal("imap", OTHER_IP, DIEGO)).isEmpty();
        }

        @Test
        void failuresOutsideTheWindowShouldNotCount() {
            fail(4, IP, DIEGO);
            clock.advance(Duration.ofMinutes(10));
            fail(4, IP, DIEGO);
            assertThat(guard.refusal("imap", IP, DIEGO)).isEmpty();
            fail(1, IP, DIEGO);
            assertThat(guard.refusal("imap", IP, DIEGO)).isPresent();
        }

        @Test
        void aSuccessShouldClearTheFailures() {
            fail(4, IP, DIEGO);
            guard.succeeded(IP, DIEGO);
            fail(4, IP, DIEGO);
            assertThat(guard.refusal("imap", IP, DIEGO)).isEmpty();
        }

        @Test
        void twentyFailuresOnOneAccountFromManyAddressesShouldBanTheAccount() {
            for (int i = 0; i < 20; i++) {
                guard.failed("smtp", "203.0.113." + i, "DIEGO@diegonmarcos.com");
            }
            assertThat(guard.refusal("smtp", OTHER_IP, DIEGO)).hasValueSatisfying(ban -> {
                assertThat(ban.kind()).isEqualTo(Ban.Kind.account);
                assertThat(ban.value()).isEqualTo(DIEGO);
            });
            assertThat(guard.refusal("smtp", OTHER_IP, "someone-else@diegonmarcos.com")).isEmpty();
        }

        @Test
        void theBanShouldEndAfterItsPeriod() {
            fail(5, IP, DIEGO);
            clock.advance(Duration.ofMinutes(15).minusSeconds(1));
            assertThat(guard.refusal("imap", IP, DIEGO)).isPresent();
            clock.advance(Duration.ofSeconds(1));
            assertThat(guard.refusal("imap", IP, DIEGO)).isEmpty();
            assertThat(guard.bans()).isEmpty();
        }

        @Test
        void repeatedBansShouldDoubleUpToTheMaximumAndBeForgottenADayAfterTheLast() {
            Duration[] expected = {Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2),
                Duration.ofHours(4), Duration.ofHours(8), Duration.ofHours(16), Duration.ofHours(24), Duration.ofHours(24)};
            for (Duration period : expected) {
                fail(5, IP, null);
                Instant start = clock.instant();
                assertThat(guard.refusal("pop3", IP, null)).hasValueSatisfying(ban -> assertThat(ban.until()).isEqualTo(start.plus(period)));
                clock.advance(period);
            }
            clock.advance(Duration.ofDays(1).plusSeconds(1));
            fail(5, IP, null);
            assertThat(guard.bans()).singleElement().satisfies(ban -> assertThat(ban.offence()).isEqualTo(1));
        }

        @Test
        void aZeroThresholdShouldSwitchThatCounterOff() {
            LoginGuard accountsOnly = new LoginGuard(new LoginGuardSettings(0, 3, Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofHours(1)), clock);
            for (int i = 0; i < 50; i++) {
                accountsOnly.failed("imap", IP, null);
            }
            assertThat(accountsOnly.bans()).isEmpty();
        }
    }

    @Nested
    class Lifting {
        @Test
        void liftShouldEndTheBanAndForgetItsHistory() {
            fail(5, IP, DIEGO);
            assertThat(guard.lift(Ban.Kind.ip, IP)).isTrue();
            assertThat(guard.refusal("imap", IP, DIEGO)).isEmpty();
            assertThat(guard.lift(Ban.Kind.ip, IP)).isFalse();
            fail(5, IP, DIEGO);
            assertThat(guard.bans()).singleElement().satisfies(ban -> assertThat(ban.offence()).isEqualTo(1));
        }

        @Test
        void accountsShouldBeLiftedWhateverTheCase() {
            for (int i = 0; i < 20; i++) {
                guard.failed("smtp", "203.0.113." + i, DIEGO);
            }
            assertThat(guard.lift(Ban.Kind.account, "Diego@DiegonMarcos.com")).isTrue();
            assertThat(guard.bans()).isEmpty();
        }
    }

    @Test
    void userNamesShouldNotBeAbleToForgeLogFields() {
        assertThat(LoginGuard.printable("evil ip=10.0.0.1\r\nmailpack auth failure:")).isEqualTo("evil?ip=10.0.0.1??mailpack?auth?failure:");
        assertThat(LoginGuard.printable(null)).isEqualTo("-");
        assertThat(LoginGuard.printable("x".repeat(1000))).hasSize(256);
    }

    @Test
    void settingsShouldRefuseABanLongerThanTheMaximum() {
        assertThatThrownBy(() -> new LoginGuardSettings(5, 20, Duration.ofMinutes(10), Duration.ofHours(2), Duration.ofHours(1)))
            .hasMessageContaining("maxBan");
    }
}
