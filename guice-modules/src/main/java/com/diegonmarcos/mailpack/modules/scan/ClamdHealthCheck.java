package com.diegonmarcos.mailpack.modules.scan;

import javax.inject.Inject;

import com.diegonmarcos.mailpack.scan.Scanning;

/** {@code /healthcheck} entry "clamd": {@code zPING}; "disabled" while {@code clamav.address} is empty (see {@link ScannerHealthCheck}). */
public class ClamdHealthCheck extends ScannerHealthCheck {
    @Inject
    public ClamdHealthCheck(Scanning scanning) {
        super("clamd", "conf/scan.xml clamav.address is empty (MAILPACK_CLAMD_ADDRESS)",
            () -> scanning.clamav().map(clamav -> new Probe(clamav.client()::ping, clamav.policy().onFailure())));
    }
}
