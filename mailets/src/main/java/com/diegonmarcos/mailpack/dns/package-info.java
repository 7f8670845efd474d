/**
 * DNS lookups for mail authentication (DKIM now; SPF and DMARC reuse it), made with dnsjava through
 * resolvers we configure ({@code conf/dnsresolver.xml}), so that a failed lookup stays a failure:
 * a timeout or SERVFAIL is {@link com.diegonmarcos.mailpack.dns.TxtResult.Status#TEMP_ERROR}, never
 * "no record" (RFC 8601 {@code temperror}). RFC 1035 (messages, CNAME), RFC 2181 §10.1 (CNAME chains),
 * RFC 6376 §3.6.2.2 (TXT strings joined without separators).
 */
package com.diegonmarcos.mailpack.dns;
