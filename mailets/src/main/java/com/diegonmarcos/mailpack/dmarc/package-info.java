/**
 * DMARC, RFC 7489: policy discovery with the Organizational Domain fallback (§3.2, §6.6.3),
 * identifier alignment (§3.1), {@code p}/{@code sp}/{@code pct} (§6.3, §6.6.4), local exceptions
 * (§6.7). {@link com.diegonmarcos.mailpack.dmarc.DmarcChecker} knows nothing of mail objects.
 */
package com.diegonmarcos.mailpack.dmarc;
