package com.diegonmarcos.mailpack.dns;

/** The DNS questions mail authentication asks. Implementations never throw for DNS outcomes. */
public interface DnsClient {
    /**
     * The TXT records at {@code name}, each one's character-strings joined without separator.
     *
     * @param name a domain name, absolute or not (it is always queried as absolute)
     */
    TxtResult txt(String name);
}
