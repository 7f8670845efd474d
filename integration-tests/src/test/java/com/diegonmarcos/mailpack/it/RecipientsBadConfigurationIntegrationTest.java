package com.diegonmarcos.mailpack.it;

import org.junit.jupiter.api.Test;

/** A wrong setting in conf/recipients.xml stops the start, naming the file and the setting. */
class RecipientsBadConfigurationIntegrationTest {
    @Test
    void unknownSourceRouteFormsValueIsNamed() throws Exception {
        String shipped = MailpackTestServer.shippedConf("recipients.xml");
        String conf = shipped.replace("sourceRouteForms=\"refuse\"", "sourceRouteForms=\"sometimes\"");
        if (conf.equals(shipped)) {
            throw new IllegalStateException("conf/recipients.xml no longer contains sourceRouteForms=\"refuse\"");
        }
        MailpackTestServer.inProcess().overlay("recipients.xml", conf)
            .assertStartFailsWith("conf/recipients.xml: catchall[1]: sourceRouteForms must be 'refuse' or 'accept', got 'sometimes'");
    }
}
