package com.diegonmarcos.mailpack.dkim;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.dns.TxtResult;

/** An in-memory DNS: TXT records by name; the value {@value #TEMPFAIL} answers with a failure, a missing name is NXDOMAIN. */
public final class FakeDns implements DnsClient {
    public static final String TEMPFAIL = "TEMPFAIL";

    private final Map<String, String> records = new ConcurrentHashMap<>();

    public static FakeDns of(Map<String, String> records) {
        FakeDns dns = new FakeDns();
        records.forEach(dns::put);
        return dns;
    }

    public FakeDns put(String name, String record) {
        records.put(name.toLowerCase(Locale.ROOT), record);
        return this;
    }

    @Override
    public TxtResult txt(String name) {
        String found = records.get(name.toLowerCase(Locale.ROOT));
        if (found == null) {
            return TxtResult.nxdomain(name);
        }
        if (found.equals(TEMPFAIL)) {
            return TxtResult.tempError(name + " TXT: timed out");
        }
        return TxtResult.found(List.of(found));
    }
}
