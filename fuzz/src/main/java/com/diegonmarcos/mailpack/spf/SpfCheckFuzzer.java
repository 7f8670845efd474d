package com.diegonmarcos.mailpack.spf;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.Violation;
import com.diegonmarcos.mailpack.fuzz.ZoneDns;
import com.google.common.net.InetAddresses;

/**
 * A whole SPF evaluation ({@link SpfChecker#check}, RFC 7208 §4) with an in-memory DNS. The input is
 * text: the first line is {@code <client ip> <MAIL FROM> <HELO>} (both as a client sends them; an
 * empty MAIL FROM is the null sender), the other lines DNS answers {@code <name> <TYPE> <value>}
 * (TXT, A, AAAA, MX, PTR; {@code TEMPFAIL}, {@code NODATA}).
 *
 * <p>Contract: check returns a verdict ("nothing here throws for what DNS may contain") with a
 * result, an identity and a reason; one evaluation asks at most {@value #MAX_QUESTIONS} DNS
 * questions (§4.6.4 bounds the terms that query DNS to 10, MX and PTR names to 10 each: about
 * 1 + 10 x 11 = 111; more means a record can make us amplify its traffic).
 */
public final class SpfCheckFuzzer {
    static final int MAX_QUESTIONS = 150;

    private SpfCheckFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("SPF check", data, SpfCheckFuzzer::test);
    }

    static void test(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        int newline = text.indexOf('\n');
        String first = newline < 0 ? text : text.substring(0, newline);
        String[] identity = first.split(" ", 3);
        // the client address comes from the socket, never with a scope: SpfChecker.literal reads it as mailpack would
        InetAddress ip = SpfChecker.literal(identity[0]).orElse(InetAddresses.forString("192.0.2.1"));
        String mailFrom = identity.length > 1 ? identity[1] : "";
        String helo = identity.length > 2 ? identity[2] : "";
        ZoneDns dns = ZoneDns.parse(newline < 0 ? "" : text.substring(newline + 1));
        SpfVerdict verdict;
        try {
            verdict = new SpfChecker(dns).check(ip, mailFrom, helo);
        } catch (RuntimeException e) {
            throw new Violation("check(" + ip.getHostAddress() + ", '" + Violation.show(mailFrom) + "', '" + Violation.show(helo)
                + "') threw " + e);
        }
        Violation.check(verdict.result() != null && verdict.identity() != null && verdict.reason() != null && verdict.domain() != null,
            () -> "incomplete verdict " + verdict);
        Violation.check(dns.questions() <= MAX_QUESTIONS, () -> "one SPF evaluation asked " + dns.questions() + " DNS questions");
    }
}
