package com.diegonmarcos.mailpack.scan;

import java.util.Optional;

import com.diegonmarcos.mailpack.clamav.ClamdClient;
import com.diegonmarcos.mailpack.rspamd.RspamdClient;

/** The scanners this server uses (each optional) and their policies, from {@code conf/scan.xml}. */
public record Scanning(Optional<Rspamd> rspamd, Optional<Clamav> clamav) {
    public record Rspamd(RspamdClient client, RspamdPolicy policy) {
    }

    public record Clamav(ClamdClient client, ClamavPolicy policy) {
    }

    public static Scanning none() {
        return new Scanning(Optional.empty(), Optional.empty());
    }

    public boolean enabled() {
        return rspamd.isPresent() || clamav.isPresent();
    }
}
