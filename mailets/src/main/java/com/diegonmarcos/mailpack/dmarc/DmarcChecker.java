package com.diegonmarcos.mailpack.dmarc;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;

import com.diegonmarcos.mailpack.dkim.AuthResult;
import com.diegonmarcos.mailpack.dkim.DkimResult;
import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.dns.TxtResult;
import com.diegonmarcos.mailpack.spf.SpfResult;
import com.diegonmarcos.mailpack.spf.SpfVerdict;

/**
 * DMARC, RFC 7489 §6.6: for each RFC5322.From domain, policy discovery (§6.6.3: the From domain,
 * then its Organizational Domain; several records or none: no policy; a DNS failure: temperror),
 * identifier alignment of the SPF and DKIM results (§3.1, relaxed or strict), then the disposition:
 * {@code p=} or {@code sp=}, sampled by {@code pct} (§6.6.4: a message left out gets the next less
 * strict policy), then the {@link LocalPolicy} exceptions (§6.7).
 */
public final class DmarcChecker {
    private static final String NO_RECORD = "no DMARC record";

    private final DnsClient dns;
    private final LocalPolicy local;
    private final IntSupplier sample;

    /**
     * @param sample a number from 0 to 99 per message, compared with {@code pct} (uniformly random in production)
     */
    public DmarcChecker(DnsClient dns, LocalPolicy local, IntSupplier sample) {
        this.dns = dns;
        this.local = local;
        this.sample = sample;
    }

    public DmarcOutcome check(List<String> fromDomains, InetAddress ip, SpfVerdict spf, List<DkimResult> dkim) {
        List<DmarcVerdict> verdicts = new ArrayList<>();
        for (String fromDomain : fromDomains) {
            verdicts.add(verdict(OrganizationalDomain.normalize(fromDomain), ip, spf, dkim));
        }
        return new DmarcOutcome(verdicts);
    }

    private record Discovery(DmarcResult status, String domain, DmarcRecord record, String reason) {
    }

    /** §6.6.3 steps 1-5. */
    Discovery discover(String fromDomain) {
        Discovery atFrom = lookup(fromDomain);
        if (!atFrom.reason().equals(NO_RECORD)) {
            return atFrom;
        }
        String organizational = OrganizationalDomain.of(fromDomain);
        if (organizational.equals(fromDomain)) {
            return atFrom;
        }
        return lookup(organizational);
    }

    private Discovery lookup(String domain) {
        String name = "_dmarc." + domain;
        TxtResult txt = dns.txt(name);
        switch (txt.status()) {
            case TEMP_ERROR:
                return new Discovery(DmarcResult.TEMPERROR, domain, null, "DMARC record lookup failed: " + txt.detail());
            case FOUND:
                break;
            default:
                return new Discovery(DmarcResult.NONE, domain, null, NO_RECORD);
        }
        List<String> records = txt.records().stream().filter(DmarcRecord::isDmarc).toList();
        if (records.isEmpty()) {
            return new Discovery(DmarcResult.NONE, domain, null, NO_RECORD);
        }
        if (records.size() > 1) {
            return new Discovery(DmarcResult.NONE, domain, null, "several DMARC records at " + name + ": none applies");
        }
        try {
            return new Discovery(DmarcResult.NONE, domain, DmarcRecord.parse(records.get(0)), "");
        } catch (IllegalArgumentException e) {
            return new Discovery(DmarcResult.NONE, domain, null, name + ": " + e.getMessage() + ": none applies");
        }
    }

    private DmarcVerdict verdict(String fromDomain, InetAddress ip, SpfVerdict spf, List<DkimResult> dkim) {
        Discovery discovery = discover(fromDomain);
        if (discovery.record() == null) {
            return new DmarcVerdict(fromDomain, discovery.status(), Optional.empty(), Optional.empty(), Policy.NONE, Policy.NONE,
                false, false, Optional.empty(), discovery.reason());
        }
        DmarcRecord record = discovery.record();
        boolean subdomain = !discovery.domain().equals(fromDomain);
        Optional<Policy> asked = record.policyFor(subdomain);
        boolean usable = record.policy().isPresent() && !record.subdomainPolicyInvalid();
        if (!usable && record.rua().isEmpty()) {
            // §6.6.3 step 6: no valid p= (or an invalid sp=) and no rua: no DMARC processing
            return new DmarcVerdict(fromDomain, DmarcResult.NONE, Optional.of(discovery.domain()), Optional.empty(), Policy.NONE,
                Policy.NONE, false, false, Optional.empty(), "record at _dmarc." + discovery.domain() + " is not usable: "
                + String.join("; ", record.problems()));
        }
        Policy requested = usable ? asked.orElse(Policy.NONE) : Policy.NONE;
        boolean strictSpf = record.strictSpf();
        boolean strictDkim = record.strictDkim();
        boolean spfAligned = spf.result() == SpfResult.PASS && OrganizationalDomain.aligned(spf.domain(), fromDomain, strictSpf);
        boolean dkimAligned = dkim.stream().anyMatch(result -> result.result() == AuthResult.PASS
            && result.domain().map(d -> OrganizationalDomain.aligned(d, fromDomain, strictDkim)).orElse(false));
        DmarcResult result;
        String reason;
        if (spfAligned || dkimAligned) {
            result = DmarcResult.PASS;
            reason = spfAligned ? "aligned SPF pass" : "aligned DKIM pass";
        } else if ((spf.result() == SpfResult.TEMPERROR && OrganizationalDomain.aligned(spf.domain(), fromDomain, strictSpf))
            || dkim.stream().anyMatch(dkimResult -> dkimResult.result() == AuthResult.TEMPERROR
                && dkimResult.domain().map(d -> OrganizationalDomain.aligned(d, fromDomain, strictDkim)).orElse(false))) {
            result = DmarcResult.TEMPERROR;
            reason = "no aligned pass, and an aligned check had a DNS failure";
        } else {
            result = DmarcResult.FAIL;
            reason = "no aligned SPF or DKIM pass";
        }
        Policy disposition = Policy.NONE;
        Optional<String> override = Optional.empty();
        if (result == DmarcResult.FAIL && requested != Policy.NONE) {
            disposition = requested;
            if (record.percent() < 100 && sample.getAsInt() >= record.percent()) {
                disposition = requested.weaker();
                override = Optional.of("sampled_out");
            }
            if (disposition != Policy.NONE && (local.trustedNetwork(ip) || trustedDomainAuthenticated(spf, dkim))) {
                disposition = Policy.NONE;
                override = Optional.of("trusted_forwarder");
            }
            if (disposition == Policy.REJECT && local.neverRejects(fromDomain)) {
                disposition = Policy.QUARANTINE;
                override = Optional.of("local_policy");
            }
        }
        return new DmarcVerdict(fromDomain, result, Optional.of(discovery.domain()), Optional.of(record), requested, disposition,
            spfAligned, dkimAligned, override, reason);
    }

    private boolean trustedDomainAuthenticated(SpfVerdict spf, List<DkimResult> dkim) {
        if (spf.result() == SpfResult.PASS && local.trustedDomain(spf.domain())) {
            return true;
        }
        return dkim.stream().anyMatch(result -> result.result() == AuthResult.PASS && result.domain().map(local::trustedDomain).orElse(false));
    }
}
