package com.diegonmarcos.mailpack.modules.dkim;

import java.util.List;

import com.diegonmarcos.mailpack.dkim.ZoneFile;

/** The zone-file text for a domain's keys: what to publish, with a comment line per key saying why. */
final class DkimRecords {
    private DkimRecords() {
    }

    static String zone(String domain, List<DkimKeyStore.KeyView> keys) {
        StringBuilder out = new StringBuilder("; DKIM keys of ").append(domain)
            .append(" (mailpack): publish these TXT records; strings are at most 255 octets, verifiers join them\n");
        for (DkimKeyStore.KeyView key : keys) {
            if (key.state() == DkimKeyStore.State.RETIRED) {
                continue;
            }
            out.append("; ").append(key.selector()).append(' ').append(key.algorithm().tagValue()).append(": ").append(explain(key)).append('\n')
                .append(ZoneFile.txtLine(key.selector(), domain, key.txtRecord())).append('\n');
        }
        List<DkimKeyStore.KeyView> retired = keys.stream().filter(key -> key.state() == DkimKeyStore.State.RETIRED).toList();
        for (DkimKeyStore.KeyView key : retired) {
            out.append("; ").append(key.selector()).append(" retired since ").append(key.retiredAfter().orElseThrow())
                .append(": remove ").append(ZoneFile.ownerName(key.selector(), domain)).append(" from DNS\n");
        }
        return out.toString();
    }

    private static String explain(DkimKeyStore.KeyView key) {
        switch (key.state()) {
            case ACTIVE:
                return "active, signing" + key.activated().map(when -> " since " + when).orElse("");
            case PENDING:
                return "pending: publish now; signing starts at POST /dkim/<domain>/rotate/confirm"
                    + key.activateAfter().map(when -> " or by itself at " + when).orElse("");
            case RETIRING:
                return "retiring: no longer signs; keep it published until " + key.retiredAfter().orElseThrow();
            default:
                return "retired";
        }
    }
}
