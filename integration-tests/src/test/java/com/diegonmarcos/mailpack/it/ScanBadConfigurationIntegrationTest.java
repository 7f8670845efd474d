package com.diegonmarcos.mailpack.it;

import org.junit.jupiter.api.Test;

/** A wrong scanning setting stops the start, naming conf/scan.xml and the setting. */
class ScanBadConfigurationIntegrationTest {

    @Test
    void unknownFailurePolicyIsRefused() throws Exception {
        MailpackTestServer.inProcess().variable("MAILPACK_RSPAMD_URL", "http://127.0.0.1:11333")
            .variable("MAILPACK_RSPAMD_ON_FAILURE", "maybe")
            .assertStartFailsWith("conf/scan.xml: rspamd.onFailure: 'maybe' is neither fail-open nor fail-closed");
    }

    @Test
    void rspamdUrlThatIsNotHttpIsRefused() throws Exception {
        MailpackTestServer.inProcess().variable("MAILPACK_RSPAMD_URL", "127.0.0.1:11333")
            .assertStartFailsWith("conf/scan.xml: rspamd.url: '127.0.0.1:11333' is not an http(s)://host:port URL");
    }

    @Test
    void clamdAddressWithoutPortIsRefused() throws Exception {
        MailpackTestServer.inProcess().variable("MAILPACK_CLAMD_ADDRESS", "clamav")
            .assertStartFailsWith("conf/scan.xml: clamd address 'clamav': expected host:port or unix:/path");
    }

    @Test
    void unknownSettingIsRefused() throws Exception {
        MailpackTestServer.inProcess()
            .overlay("scan.xml", MailpackTestServer.shippedConf("scan.xml").replace("<junkFolder>", "<colour>red</colour><junkFolder>"))
            .assertStartFailsWith("conf/scan.xml: rspamd: unknown setting 'colour'");
    }

    @Test
    void unknownRspamdActionInTheMappingIsRefused() throws Exception {
        MailpackTestServer.inProcess().variable("MAILPACK_RSPAMD_URL", "http://127.0.0.1:11333")
            .overlay("scan.xml", MailpackTestServer.shippedConf("scan.xml").replace("no action:inbox", "no action:inbox, spam:junk"))
            .assertStartFailsWith("conf/scan.xml: actions: unknown rspamd action 'spam'");
    }
}
