package com.diegonmarcos.mailpack.dmarc;

import java.util.ArrayList;
import java.util.List;

import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.dns.TxtResult;

/**
 * RFC 7489 §7.1: a report address outside the policy domain's Organizational Domain receives
 * reports only if that domain publishes {@code <policy-domain>._report._dmarc.<address-domain>}
 * TXT {@code v=DMARC1...}.
 */
public final class ReportDestinations {
    /** The verification outcome for one address. */
    public enum Check { ALLOWED, REFUSED, TEMPERROR }

    private final DnsClient dns;

    public ReportDestinations(DnsClient dns) {
        this.dns = dns;
    }

    public Check check(String policyDomain, String address) {
        String addressDomain = OrganizationalDomain.normalize(address.substring(address.lastIndexOf('@') + 1));
        if (OrganizationalDomain.of(addressDomain).equals(OrganizationalDomain.of(policyDomain))) {
            return Check.ALLOWED;
        }
        TxtResult txt = dns.txt(OrganizationalDomain.normalize(policyDomain) + "._report._dmarc." + addressDomain);
        if (txt.status() == TxtResult.Status.TEMP_ERROR) {
            return Check.TEMPERROR;
        }
        List<String> records = new ArrayList<>(txt.records());
        return records.stream().anyMatch(DmarcRecord::isDmarc) ? Check.ALLOWED : Check.REFUSED;
    }
}
