package com.diegonmarcos.mailpack.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.rspamd.RspamdResult;

class RspamdPolicyTest {
    static RspamdResult result(String action, double score) {
        return new RspamdResult(action, score, 15, List.of(), Optional.empty());
    }

    static RspamdPolicy policy(String actions, double outboundReject, double outboundTempFail) {
        return new RspamdPolicy(RspamdPolicy.parseActions(actions), outboundReject, outboundTempFail, FailurePolicy.OPEN);
    }

    @Nested
    class Inbound {
        @Test
        void defaultsMapEveryRspamdAction() {
            RspamdPolicy policy = policy("", 15, Double.POSITIVE_INFINITY);
            assertThat(policy.decide(result("reject", 15), false)).isEqualTo(SpamOutcome.REJECT);
            assertThat(policy.decide(result("soft reject", 0), false)).isEqualTo(SpamOutcome.TEMPFAIL);
            assertThat(policy.decide(result("greylist", 4), false)).isEqualTo(SpamOutcome.TEMPFAIL);
            assertThat(policy.decide(result("add header", 6), false)).isEqualTo(SpamOutcome.JUNK);
            assertThat(policy.decide(result("rewrite subject", 8), false)).isEqualTo(SpamOutcome.JUNK);
            assertThat(policy.decide(result("no action", 1), false)).isEqualTo(SpamOutcome.INBOX);
        }

        @Test
        void mappingOverridesSomeActionsAndKeepsTheOthers() {
            RspamdPolicy policy = policy("greylist:inbox, Reject : junk", 15, Double.POSITIVE_INFINITY);
            assertThat(policy.decide(result("greylist", 4), false)).isEqualTo(SpamOutcome.INBOX);
            assertThat(policy.decide(result("reject", 20), false)).isEqualTo(SpamOutcome.JUNK);
            assertThat(policy.decide(result("add header", 6), false)).isEqualTo(SpamOutcome.JUNK);
        }

        @Test
        void actionUnknownToTheMappingGoesToTheInbox() {
            assertThat(policy("", 15, Double.POSITIVE_INFINITY).decide(result("custom action", 50), false)).isEqualTo(SpamOutcome.INBOX);
        }
    }

    @Nested
    class Outbound {
        @Test
        void authenticatedMailIsJudgedByScoreNotByAction() {
            RspamdPolicy policy = policy("", 12, 8);
            assertThat(policy.decide(result("add header", 7.9), true)).isEqualTo(SpamOutcome.INBOX);
            assertThat(policy.decide(result("no action", 8), true)).isEqualTo(SpamOutcome.TEMPFAIL);
            assertThat(policy.decide(result("add header", 12), true)).isEqualTo(SpamOutcome.REJECT);
        }
    }

    @Nested
    class Parsing {
        @Test
        void pairWithoutColonIsRefused() {
            assertThatThrownBy(() -> RspamdPolicy.parseActions("reject")).hasMessageContaining("'reject' is not action:outcome");
        }

        @Test
        void unknownOutcomeIsRefused() {
            assertThatThrownBy(() -> RspamdPolicy.parseActions("reject:bounce"))
                .hasMessageContaining("'bounce' is not one of inbox, junk, tempfail, reject");
        }

        @Test
        void failurePolicyAcceptsBothSpellings() {
            assertThat(FailurePolicy.parse("x", "fail-open")).isEqualTo(FailurePolicy.OPEN);
            assertThat(FailurePolicy.parse("x", "CLOSED")).isEqualTo(FailurePolicy.CLOSED);
            assertThatThrownBy(() -> FailurePolicy.parse("x", "sometimes")).hasMessageContaining("x: 'sometimes'");
        }
    }
}
