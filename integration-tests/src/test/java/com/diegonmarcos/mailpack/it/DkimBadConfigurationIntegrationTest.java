package com.diegonmarcos.mailpack.it;

import org.junit.jupiter.api.Test;

/** A wrong DKIM or resolver setting stops the start, naming the file (or mailet) and the setting. */
class DkimBadConfigurationIntegrationTest {

    @Test
    void dkimSignWithoutAuthservIdNamesTheMailetAndTheParameter() throws Exception {
        String conf = MailpackTestServer.shippedConf("mailetcontainer.xml").replaceFirst(
            "(class=\"com.diegonmarcos.mailpack.mailets.DkimSign\">)\\s*<authservId>[^<]*</authservId>", "$1");
        MailpackTestServer.process().overlay("mailetcontainer.xml", conf)
            .assertStartFailsWith("conf/mailetcontainer.xml: mailet 'com.diegonmarcos.mailpack.mailets.DkimSign'", "DkimSign: authservId is required");
    }

    @Test
    void badRotationSettingNamesTheFileAndTheAttribute() throws Exception {
        MailpackTestServer.process()
                .overlay("dkim.xml", "<dkim><rotation activationDelay=\"none\" gracePeriod=\"soon\"/></dkim>")
            .assertStartFailsWith("conf/dkim.xml: rotation@gracePeriod: 'soon' is not a duration");
    }

    @Test
    void missingPemKeyNamesTheFile() throws Exception {
        MailpackTestServer.process()
                .overlay("dkim.xml", "<dkim><domain name=\"diegonmarcos.com\"><key selector=\"s1\" privateKey=\"/nonexistent/dkim.pem\"/>"
                    + "</domain></dkim>")
            .assertStartFailsWith("conf/dkim.xml", "/nonexistent/dkim.pem: no such file");
    }

    @Test
    void resolverGivenByNameIsRefused() throws Exception {
        MailpackTestServer.process().variable("MAILPACK_DNS_SERVERS", "dns.google")
            .assertStartFailsWith("conf/dnsresolver.xml: server 'dns.google' must be an IP address");
    }
}
