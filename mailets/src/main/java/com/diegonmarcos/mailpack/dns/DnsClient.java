package com.diegonmarcos.mailpack.dns;

/** The DNS questions mail authentication asks. Implementations never throw for DNS outcomes. */
public interface DnsClient {
    /**
     * The TXT records at {@code name}, each one's character-strings joined without separator.
     *
     * @param name a domain name, absolute or not (it is always queried as absolute)
     */
    TxtResult txt(String name);

    /**
     * Records of another type at {@code name} (SPF needs A, AAAA, MX and PTR), as text in the same
     * result type: A/AAAA as IP literals ({@code 192.0.2.1}, {@code 2001:db8::1}), MX as
     * {@code "<preference> <exchange>"}, PTR as the target name; names without the final dot,
     * lower-case. The same statuses as {@link #txt}: a failure is {@code TEMP_ERROR}, never "no record".
     */
    default TxtResult lookup(String name, RecordType type) {
        return TxtResult.tempError(name + " " + type + ": this resolver only answers TXT questions");
    }

    /** The record types {@link #lookup} asks for. */
    enum RecordType { A, AAAA, MX, PTR }
}
