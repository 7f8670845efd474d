package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A broken configuration stops the start, and the message names the file and the key. */
class BadConfigurationIntegrationTest {

    private static void assertStartFailsWith(MailpackTestServer server, String... fragments) throws Exception {
        server.prepare();
        try {
            assertThatThrownBy(server::start).hasMessageContainingAll(fragments);
        } finally {
            server.stop();
        }
    }

    @Test
    void malformedXmlNamesTheFile() throws Exception {
        assertStartFailsWith(MailpackTestServer.process()
                .overlay("imapserver.xml", "<imapservers><imapserver enabled=\"true\"></imapservers>"),
            "conf/imapserver.xml: not well-formed XML");
    }

    @Test
    void unknownMailetParameterNamesTheFileTheMailetAndTheParameter() throws Exception {
        String conf = MailpackTestServer.shippedConf("mailetcontainer.xml")
            .replace("<passThrough>false</passThrough>", "<passThrough>false</passThrough><colour>blue</colour>");
        assertStartFailsWith(MailpackTestServer.process().overlay("mailetcontainer.xml", conf),
            "conf/mailetcontainer.xml: mailet 'DSNBounce'", "colour");
    }

    @Test
    void missingCertificateNamesTheFileTheKeyAndThePath() throws Exception {
        assertStartFailsWith(MailpackTestServer.process()
                .variable("MAILPACK_TLS_CERT", "/nonexistent/fullchain.pem")
                .variable("MAILPACK_TLS_KEY", "/nonexistent/privkey.pem"),
            "conf/smtpserver.xml: smtpservers/smtpserver[1]/tls/certificates", "/nonexistent/fullchain.pem");
    }

    @Test
    void undefinedVariableNamesTheFileAndTheVariable() throws Exception {
        String conf = MailpackTestServer.shippedConf("pop3server.xml").replace("<connectiontimeout>600", "<connectiontimeout>${POP3_TIMEOUT_UNSET}");
        assertStartFailsWith(MailpackTestServer.process().overlay("pop3server.xml", conf),
            "conf/pop3server.xml: variable ${POP3_TIMEOUT_UNSET} has no value");
    }
}
