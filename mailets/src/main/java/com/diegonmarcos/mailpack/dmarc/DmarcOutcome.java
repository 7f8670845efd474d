package com.diegonmarcos.mailpack.dmarc;

import java.util.List;

/**
 * DMARC's verdicts on every RFC5322.From domain of one message (empty: the message has no usable
 * From), and what to do: the strictest disposition among them (RFC 7489 §6.6.1 lets a receiver
 * apply DMARC to each domain of a multi-valued From).
 */
public record DmarcOutcome(List<DmarcVerdict> verdicts) {
    public DmarcOutcome {
        verdicts = List.copyOf(verdicts);
    }

    public Policy disposition() {
        Policy strictest = Policy.NONE;
        for (DmarcVerdict verdict : verdicts) {
            strictest = strictest.max(verdict.disposition());
        }
        return strictest;
    }

    /**
     * Whether a DNS failure keeps us from knowing the disposition: a temperror for a domain whose
     * policy is unknown (the record lookup failed) or asks for more than {@code none}.
     */
    public boolean undecided() {
        return verdicts.stream().anyMatch(verdict -> verdict.result() == DmarcResult.TEMPERROR
            && (verdict.record().isEmpty() || verdict.requestedPolicy() != Policy.NONE));
    }

    /** The verdict that decided the disposition (the first with it), for messages and logs. */
    public DmarcVerdict deciding() {
        Policy disposition = disposition();
        return verdicts.stream().filter(verdict -> verdict.disposition() == disposition).findFirst()
            .orElseThrow(() -> new IllegalStateException("no verdict"));
    }
}
