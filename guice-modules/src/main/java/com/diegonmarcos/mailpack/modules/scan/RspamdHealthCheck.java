package com.diegonmarcos.mailpack.modules.scan;

import javax.inject.Inject;

import com.diegonmarcos.mailpack.scan.Scanning;

/** {@code /healthcheck} entry "rspamd": {@code /ping} on the worker; "disabled" while {@code rspamd.url} is empty (see {@link ScannerHealthCheck}). */
public class RspamdHealthCheck extends ScannerHealthCheck {
    @Inject
    public RspamdHealthCheck(Scanning scanning) {
        super("rspamd", "conf/scan.xml rspamd.url is empty (MAILPACK_RSPAMD_URL)",
            () -> scanning.rspamd().map(rspamd -> new Probe(rspamd.client()::ping, rspamd.policy().onFailure())));
    }
}
