/**
 * What mailpack does with the verdicts of its content scanners (rspamd for spam, clamd for viruses)
 * during the SMTP transaction: the configured {@link com.diegonmarcos.mailpack.scan.Scanning},
 * verdict mapping and failure policies. The SMTP side is {@code smtp.ScanMessage}.
 */
package com.diegonmarcos.mailpack.scan;
