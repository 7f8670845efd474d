package com.diegonmarcos.mailpack.dmarc;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.diegonmarcos.mailpack.dkim.DkimResult;
import com.diegonmarcos.mailpack.spf.SpfVerdict;

/**
 * What an aggregate report (RFC 7489 §7.2) needs of one evaluated message, for one policy domain:
 * kept until the report for its day is sent.
 *
 * @param time when it was evaluated (epoch seconds)
 * @param policyDomain the domain whose record was applied (the report goes to its rua)
 * @param headerFrom the RFC5322.From domain
 * @param sourceIp the SMTP client
 * @param disposition none, quarantine, reject (as applied)
 * @param dkimAligned {@code pass} or {@code fail} (policy_evaluated/dkim)
 * @param spfAligned {@code pass} or {@code fail} (policy_evaluated/spf)
 * @param override a PolicyOverrideType, "" when none
 * @param dkim every DKIM result (domain, selector, result)
 * @param spf the SPF result (domain, scope {@code mfrom}/{@code helo}, result)
 * @param published the record as published
 * @param rua where to send the report
 */
public record AggregateRecord(long time, String policyDomain, String headerFrom, String sourceIp, String disposition,
                              String dkimAligned, String spfAligned, String override, List<Dkim> dkim, Spf spf,
                              Published published, List<String> rua) {

    public record Dkim(String domain, String selector, String result) {
    }

    public record Spf(String domain, String scope, String result) {
    }

    /** policy_published: adkim, aspf r/s; p, sp dispositions; pct. */
    public record Published(String domain, String adkim, String aspf, String p, String sp, int pct) {
    }

    /** One record per verdict that applied a published record with at least one rua address. */
    public static List<AggregateRecord> of(InetAddress ip, SpfVerdict spf, List<DkimResult> dkimResults, DmarcOutcome outcome,
                                           Instant when) {
        List<AggregateRecord> records = new ArrayList<>();
        for (DmarcVerdict verdict : outcome.verdicts()) {
            if (verdict.record().isEmpty() || verdict.recordDomain().isEmpty() || verdict.rua().isEmpty()) {
                continue;
            }
            DmarcRecord record = verdict.record().get();
            String policy = record.policy().orElse(Policy.NONE).token();
            Published published = new Published(verdict.recordDomain().get(), record.strictDkim() ? "s" : "r",
                record.strictSpf() ? "s" : "r", policy, record.subdomainPolicy().map(Policy::token).orElse(policy), record.percent());
            List<Dkim> dkim = new ArrayList<>();
            for (DkimResult result : dkimResults) {
                result.domain().ifPresent(domain -> dkim.add(new Dkim(domain.toLowerCase(Locale.ROOT),
                    result.selector().orElse(""), result.result().token())));
            }
            List<String> rua = verdict.rua().stream().map(uri -> uri.address() + (uri.maxBytes() > 0 ? "!" + uri.maxBytes() : "")).toList();
            records.add(new AggregateRecord(when.getEpochSecond(), verdict.recordDomain().get(), verdict.fromDomain(),
                ip.getHostAddress(), verdict.disposition().token(), verdict.dkimAligned() ? "pass" : "fail",
                verdict.spfAligned() ? "pass" : "fail", verdict.override().orElse(""), dkim,
                new Spf(spf.domain(), spf.identity().equals(SpfVerdict.HELO) ? "helo" : "mfrom", spf.result().token()),
                published, rua));
        }
        return records;
    }
}
