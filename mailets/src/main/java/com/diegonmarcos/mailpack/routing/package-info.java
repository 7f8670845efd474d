/**
 * Where mail for a local domain goes: subaddresses ({@code diego+news@}, RFC 5233), catch-all
 * per domain with excluded local parts, and the verdict for an unknown recipient. Used both at RCPT
 * time (so unknown recipients are refused in the SMTP dialogue, never bounced later) and by the
 * mailets that rewrite recipients.
 */
package com.diegonmarcos.mailpack.routing;
