package com.diegonmarcos.mailpack.dns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link DnsClient} over dnsjava, asking the configured recursive resolvers directly (no cache, no
 * search list), and reading the response code itself so that SERVFAIL, REFUSED and timeouts are
 * {@link TxtResult.Status#TEMP_ERROR} while NXDOMAIN and NODATA are answers. CNAME chains are
 * followed (at most {@value #MAX_CNAME_HOPS} hops); truncated UDP answers are retried over TCP by
 * dnsjava.
 */
public final class DnsJavaClient implements DnsClient {
    static final int MAX_CNAME_HOPS = 8;
    static final int EDNS_PAYLOAD = 1232;

    private final Resolver resolver;
    private final ResolverSettings settings;

    private DnsJavaClient(Resolver resolver, ResolverSettings settings) {
        this.resolver = resolver;
        this.settings = settings;
    }

    public static DnsJavaClient create(ResolverSettings settings) {
        ExtendedResolver resolver;
        if (settings.servers().isEmpty()) {
            resolver = new ExtendedResolver();
            for (Resolver each : resolver.getResolvers()) {
                each.setTimeout(settings.timeout());
            }
        } else {
            List<Resolver> resolvers = new ArrayList<>();
            settings.servers().forEach(address -> {
                SimpleResolver simple = new SimpleResolver(address);
                simple.setTimeout(settings.timeout());
                simple.setEDNS(0, EDNS_PAYLOAD, 0, List.of()); // a 2048-bit RSA key record fits in one UDP answer
                resolvers.add(simple);
            });
            resolver = new ExtendedResolver(resolvers);
        }
        resolver.setRetries(settings.retries() + 1);
        resolver.setLoadBalance(false);
        // the whole query, over every server and attempt
        resolver.setTimeout(settings.timeout().multipliedBy((long) (settings.retries() + 1) * Math.max(1, resolver.getResolvers().length)));
        return new DnsJavaClient(resolver, settings);
    }

    public ResolverSettings settings() {
        return settings;
    }

    @Override
    public TxtResult txt(String name) {
        return query(name, Type.TXT, "TXT");
    }

    @Override
    public TxtResult lookup(String name, RecordType type) {
        switch (type) {
            case A:
                return query(name, Type.A, "A");
            case AAAA:
                return query(name, Type.AAAA, "AAAA");
            case MX:
                return query(name, Type.MX, "MX");
            case PTR:
                return query(name, Type.PTR, "PTR");
            default:
                throw new IllegalArgumentException(type.toString());
        }
    }

    private TxtResult query(String name, int type, String typeName) {
        Name current;
        try {
            current = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return TxtResult.invalidName("'" + name + "' is not a domain name: " + e.getMessage());
        }
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            Message response;
            try {
                response = resolver.send(Message.newQuery(Record.newRecord(current, type, DClass.IN)));
            } catch (IOException e) {
                return TxtResult.tempError(current + " " + typeName + ": " + describe(e));
            } catch (RuntimeException e) {
                return TxtResult.tempError(current + " " + typeName + ": " + describe(e));
            }
            int rcode = response.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                return TxtResult.nxdomain(current.toString(true));
            }
            if (rcode != Rcode.NOERROR) {
                return TxtResult.tempError(current + " " + typeName + ": " + Rcode.string(rcode));
            }
            Name owner = current;
            List<Record> answers = response.getSection(Section.ANSWER);
            // a recursive resolver puts the whole chain in the answer: walk it in order
            for (int step = 0; step <= MAX_CNAME_HOPS; step++) {
                Name target = cnameTarget(answers, owner);
                if (target == null) {
                    break;
                }
                owner = target;
            }
            List<String> records = texts(answers, owner, type);
            if (!records.isEmpty()) {
                return TxtResult.found(records);
            }
            if (owner.equals(current)) {
                return TxtResult.noData(current.toString(true), typeName);
            }
            current = owner; // the chain ends at a name this answer has no data for: ask for it
        }
        return TxtResult.tempError(name + " " + typeName + ": more than " + MAX_CNAME_HOPS + " CNAME hops");
    }

    private static Name cnameTarget(List<Record> answers, Name owner) {
        for (Record record : answers) {
            if (record instanceof CNAMERecord && record.getName().equals(owner)) {
                return ((CNAMERecord) record).getTarget();
            }
        }
        return null;
    }

    private static List<String> texts(List<Record> answers, Name owner, int type) {
        List<String> records = new ArrayList<>();
        for (Record record : answers) {
            if (record.getType() != type || !record.getName().equals(owner)) {
                continue;
            }
            if (record instanceof ARecord) {
                records.add(((ARecord) record).getAddress().getHostAddress());
            } else if (record instanceof AAAARecord) {
                records.add(((AAAARecord) record).getAddress().getHostAddress());
            } else if (record instanceof MXRecord) {
                MXRecord mx = (MXRecord) record;
                records.add(mx.getPriority() + " " + mx.getTarget().toString(true).toLowerCase(java.util.Locale.ROOT));
            } else if (record instanceof PTRRecord) {
                records.add(((PTRRecord) record).getTarget().toString(true).toLowerCase(java.util.Locale.ROOT));
            } else if (record instanceof TXTRecord) {
                ByteArrayOutputStream joined = new ByteArrayOutputStream();
                for (Object part : ((TXTRecord) record).getStringsAsByteArrays()) {
                    joined.writeBytes((byte[]) part);
                }
                // one char per octet: non-ASCII octets stay visible to the record parsers, which refuse them
                records.add(joined.toString(StandardCharsets.ISO_8859_1));
            }
        }
        return records;
    }

    private static String describe(Exception e) {
        String kind = e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }

    @Override
    public String toString() {
        return "DnsJavaClient(" + settings + ")";
    }
}
