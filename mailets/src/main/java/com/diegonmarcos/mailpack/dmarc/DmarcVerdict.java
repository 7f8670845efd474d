package com.diegonmarcos.mailpack.dmarc;

import java.util.List;
import java.util.Optional;

/**
 * DMARC's verdict on one RFC5322.From domain.
 *
 * @param fromDomain the header.from domain
 * @param result pass, fail, none (no policy), temperror, permerror
 * @param recordDomain where the record was found (the From domain or its Organizational Domain), empty without record
 * @param record the record, when one applies
 * @param requestedPolicy p= or sp= as the record asks for this domain (NONE without record)
 * @param disposition what is done: the requested policy after pct sampling and local overrides (NONE unless result is fail)
 * @param spfAligned an SPF pass for an aligned domain
 * @param dkimAligned a DKIM pass for an aligned domain
 * @param override why the disposition is weaker than the policy: {@code sampled_out}, {@code trusted_forwarder},
 *     {@code local_policy} (RFC 7489 Appendix C PolicyOverrideType)
 * @param reason a human explanation
 */
public record DmarcVerdict(String fromDomain, DmarcResult result, Optional<String> recordDomain, Optional<DmarcRecord> record,
                           Policy requestedPolicy, Policy disposition, boolean spfAligned, boolean dkimAligned,
                           Optional<String> override, String reason) {

    /** The rua addresses of the record ({@code []} without record). */
    public List<DmarcRecord.ReportUri> rua() {
        return record.map(DmarcRecord::rua).orElse(List.of());
    }
}
