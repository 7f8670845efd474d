package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A wrong DKIM or resolver setting stops the start, naming the file (or mailet) and the setting. */
class DkimBadConfigurationIntegrationTest {

    private static void assertStartFailsWith(MailpackTestServer server, String... fragments) throws Exception {
        server.prepare();
        try {
            assertThatThrownBy(server::start).hasMessageContainingAll(fragments);
        } finally {
            server.stop();
        }
    }

    @Test
    void dkimSignWithoutAuthservIdNamesTheMailetAndTheParameter() throws Exception {
        String conf = MailpackTestServer.shippedConf("mailetcontainer.xml").replaceFirst(
            "(class=\"com.diegonmarcos.mailpack.mailets.DkimSign\">)\\s*<authservId>[^<]*</authservId>", "$1");
        assertStartFailsWith(MailpackTestServer.process().overlay("mailetcontainer.xml", conf),
            "conf/mailetcontainer.xml: mailet 'com.diegonmarcos.mailpack.mailets.DkimSign'", "DkimSign: authservId is required");
    }

    @Test
    void badRotationSettingNamesTheFileAndTheAttribute() throws Exception {
        assertStartFailsWith(MailpackTestServer.process()
                .overlay("dkim.xml", "<dkim><rotation activationDelay=\"none\" gracePeriod=\"soon\"/></dkim>"),
            "conf/dkim.xml: rotation@gracePeriod: 'soon' is not a duration");
    }

    @Test
    void missingPemKeyNamesTheFile() throws Exception {
        assertStartFailsWith(MailpackTestServer.process()
                .overlay("dkim.xml", "<dkim><domain name=\"diegonmarcos.com\"><key selector=\"s1\" privateKey=\"/nonexistent/dkim.pem\"/>"
                    + "</domain></dkim>"),
            "conf/dkim.xml", "/nonexistent/dkim.pem: no such file");
    }

    @Test
    void resolverGivenByNameIsRefused() throws Exception {
        assertStartFailsWith(MailpackTestServer.process().variable("MAILPACK_DNS_SERVERS", "dns.google"),
            "conf/dnsresolver.xml: server 'dns.google' must be an IP address");
    }
}
