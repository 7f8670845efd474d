package com.diegonmarcos.mailpack.dmarc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.diegonmarcos.mailpack.dkim.AuthResult;
import com.diegonmarcos.mailpack.dkim.DkimResult;
import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.FieldChecks;
import com.diegonmarcos.mailpack.fuzz.Violation;
import com.diegonmarcos.mailpack.fuzz.ZoneDns;
import com.diegonmarcos.mailpack.spf.SpfResult;
import com.diegonmarcos.mailpack.spf.SpfVerdict;
import com.google.common.net.InetAddresses;

/**
 * DMARC records ({@code DmarcRecord.parse}, RFC 7489 §6.3) as a DNS TXT answer brings them, and the
 * same text as a From field value ({@link FromDomains#of}, {@link OrganizationalDomain#of}). The
 * input is the text (UTF-8). The record is then served at {@code _dmarc.example.com} and the whole
 * check ({@link DmarcChecker#check}) runs for From example.com and every domain read from the text.
 *
 * <p>Contract: parse returns a record when {@code isDmarc} holds, else throws its documented
 * {@link IllegalArgumentException}; a record has pct 0-100, at most 5 usable rua URIs, each with a
 * mailbox. From parsing and the check never throw; the Authentication-Results field made of the
 * outcome (header.from from the hostile From) is printable, folded only, and ours.
 */
public final class DmarcRecordFuzzer {
    private static final String AUTHSERV_ID = "mx.diegonmarcos.com";

    private DmarcRecordFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("DMARC record / From / check", data, DmarcRecordFuzzer::test);
    }

    static void test(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        boolean dmarc = DmarcRecord.isDmarc(text);
        try {
            DmarcRecord record = DmarcRecord.parse(text);
            Violation.check(dmarc, () -> "parsed a record that isDmarc refuses");
            Violation.check(record.percent() >= 0 && record.percent() <= 100, () -> "pct=" + record.percent());
            Violation.check(record.rua().size() <= DmarcRecord.MAX_RUA, () -> record.rua().size() + " rua");
            Violation.check(record.reportInterval() >= 0, () -> "ri=" + record.reportInterval());
            for (DmarcRecord.ReportUri uri : record.rua()) {
                Violation.check(!uri.domain().isEmpty() && uri.address().indexOf('@') > 0 && uri.maxBytes() >= 0, () -> "rua " + uri);
                Violation.check(uri.address().chars().allMatch(c -> c > 0x20 && c < 0x7F), () -> "rua address with a control or non-ASCII char: "
                    + Violation.show(uri.address()));
            }
            record.policyFor(true);
            record.policyFor(false);
        } catch (IllegalArgumentException e) {
            Violation.check(!dmarc || text.length() > DmarcRecord.MAX_RECORD_LENGTH, () -> "a DMARC record was refused: " + e.getMessage());
        }
        for (String part : text.split(",")) {
            DmarcRecord.reportUri(part.strip());
        }

        List<String> from = FromDomains.of(List.of(text));
        Violation.check(from.size() <= FromDomains.MAX_DOMAINS, () -> from.size() + " From domains");
        List<String> domains = new ArrayList<>(from);
        domains.add("example.com");
        domains.add("sub.example.com");
        OrganizationalDomain.of(text);
        ZoneDns dns = new ZoneDns().put("_dmarc.example.com", "TXT", text);
        SpfVerdict spf = new SpfVerdict(SpfResult.FAIL, SpfVerdict.MAILFROM, text, text + "@" + text, "");
        List<DkimResult> dkim = List.of(new DkimResult(AuthResult.PASS, Optional.of(text), Optional.of("s"), Optional.of("rsa-sha256"),
            Optional.of("@" + text), Optional.of("abc"), "", false, java.util.OptionalLong.empty()));
        DmarcOutcome outcome = new DmarcChecker(dns, LocalPolicy.NONE, () -> 42).check(domains, InetAddresses.forString("192.0.2.1"), spf, dkim);
        outcome.disposition();
        outcome.undecided();
        if (!outcome.verdicts().isEmpty()) {
            outcome.deciding();
        }
        FieldChecks.authenticationResults(AuthenticationResultsField.value(AUTHSERV_ID, spf, dkim, outcome), AUTHSERV_ID, text);
    }
}
