package com.diegonmarcos.mailpack.modules.dmarc;

import java.time.Duration;

/**
 * {@code conf/dmarc.xml} {@code <reports>}: aggregate reports (RFC 7489 §7.2).
 *
 * @param enabled record evaluations and send reports
 * @param from the reports' sender (a local address, so DkimSign signs them)
 * @param orgName org_name and the Submitter of the subject
 * @param interval how often the scheduler looks for complete days to report
 * @param catchUpDays how many past days are still reported after downtime (older records are deleted)
 * @param reportIdDomain the right-hand side of report ids (our host name)
 */
public record ReportSettings(boolean enabled, String from, String orgName, Duration interval, int catchUpDays, String reportIdDomain) {
}
