package com.diegonmarcos.mailpack.spf;

import java.nio.charset.StandardCharsets;

import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.Violation;
import com.google.common.net.InetAddresses;

/**
 * SPF records ({@code SpfRecord.parse}, RFC 7208 §4.6, §5, §6) and macro-strings
 * ({@code Macros}, §7) as a DNS TXT answer brings them. The input is the TXT text, one octet per
 * char; it is parsed as a record when it is one ({@code isSpf}, as the checker decides), and always
 * checked as a macro-string. Every domain-spec of a record that parses is then expanded for two
 * hostile senders (IPv4 and IPv6 clients, odd local parts).
 *
 * <p>Contract: parse and the macro syntax check return or throw {@link SpfException} (permerror),
 * nothing else; a record that parses has its terms expand without any exception (the checker
 * would turn one into a stack trace instead of a result).
 */
public final class SpfRecordFuzzer {
    private static final Macros.Context[] CONTEXTS = {
        new Macros.Context("user+tag@example.com", "user+tag", "example.com", "example.com",
            InetAddresses.forString("192.0.2.1"), "mx.example.org", () -> "mx.example.org"),
        new Macros.Context("\"a b\".-+,/_=%@xn--ls8h.example", "\"a b\".-+,/_=%", "xn--ls8h.example", "sub.xn--ls8h.example",
            InetAddresses.forString("2001:db8::ff00:42:8329"), "", () -> "unknown"),
    };

    private SpfRecordFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("SPF record", data, SpfRecordFuzzer::test);
    }

    static void test(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        try {
            Macros.checkSyntax(text, text);
        } catch (SpfException e) {
            // documented: permerror
        }
        if (!SpfRecord.isSpf(text)) {
            return;
        }
        SpfRecord record;
        try {
            record = SpfRecord.parse(text);
        } catch (SpfException e) {
            return;
        }
        for (SpfRecord.Directive directive : record.directives) {
            Violation.check(directive.qualifier() != null && directive.kind() != null, () -> "directive without qualifier or kind");
            if (directive.kind() == SpfRecord.Kind.IP4 || directive.kind() == SpfRecord.Kind.IP6) {
                Violation.check(directive.network() != null && directive.network().length == (directive.kind() == SpfRecord.Kind.IP4 ? 4 : 16),
                    () -> "bad network in " + directive.text());
            }
            if (directive.domainSpec() != null) {
                expand(directive.domainSpec());
            }
        }
        record.redirect.ifPresent(SpfRecordFuzzer::expand);
    }

    private static void expand(String spec) {
        for (Macros.Context context : CONTEXTS) {
            try {
                Macros.expandDomain(spec, context);
            } catch (RuntimeException e) {
                throw new Violation("expanding '" + Violation.show(spec) + "' of a record that parsed threw " + e);
            }
        }
    }
}
