package com.diegonmarcos.mailpack.it;

import org.junit.jupiter.api.Test;

/** A broken configuration stops the start, and the message names the file and the key. */
class BadConfigurationIntegrationTest {

    @Test
    void anUnknownDatabaseChoiceNamesTheVariableAndTheChoices() throws Exception {
        MailpackTestServer.process().variable("MAILPACK_DATABASE", "mysql")
            .assertStartFailsWith("MAILPACK_DATABASE must be 'embedded' (conf/james-database.properties) or 'postgresql' "
                + "(conf/james-database-postgresql.properties), got 'mysql'");
    }

    @Test
    void postgresqlWithoutAPasswordNamesTheFileAndTheVariable() throws Exception {
        MailpackTestServer.process().variable("MAILPACK_DATABASE", "postgresql")
            .assertStartFailsWith("conf/james-database-postgresql.properties: variable ${MAILPACK_DB_PASSWORD} has no value");
    }

    @Test
    void postgresqlOverAnExistingEmbeddedDatabaseDoesNotStart() throws Exception {
        MailpackTestServer server = MailpackTestServer.process().variable("MAILPACK_DATABASE", "postgresql")
            .variable("MAILPACK_DB_PASSWORD", "unused-the-start-stops-before");
        server.prepare();
        java.nio.file.Path derby = java.nio.file.Files.createDirectories(server.home().resolve("var/store/derby"));
        java.nio.file.Files.writeString(derby.resolve("service.properties"), "# as Derby writes it\n");
        server.assertStartFailsWith("MAILPACK_DATABASE selects PostgreSQL, but ", "var/store/derby holds the embedded database",
            "set MAILPACK_DATABASE=embedded to keep it");
    }

    @Test
    void malformedXmlNamesTheFile() throws Exception {
        MailpackTestServer.process()
                .overlay("imapserver.xml", "<imapservers><imapserver enabled=\"true\"></imapservers>")
            .assertStartFailsWith("conf/imapserver.xml: not well-formed XML");
    }

    @Test
    void unknownMailetParameterNamesTheFileTheMailetAndTheParameter() throws Exception {
        String conf = MailpackTestServer.shippedConf("mailetcontainer.xml")
            .replace("<passThrough>false</passThrough>", "<passThrough>false</passThrough><colour>blue</colour>");
        MailpackTestServer.process().overlay("mailetcontainer.xml", conf)
            .assertStartFailsWith("conf/mailetcontainer.xml: mailet 'DSNBounce'", "colour");
    }

    @Test
    void missingCertificateNamesTheFileTheKeyAndThePath() throws Exception {
        MailpackTestServer.process()
                .variable("MAILPACK_TLS_CERT", "/nonexistent/fullchain.pem")
                .variable("MAILPACK_TLS_KEY", "/nonexistent/privkey.pem")
            // whichever listener's file is read first (IMAP since the SMTP factory is ours): the file, the key, the path
            .assertStartFailsWith("server.xml: ", "server[1]/tls/certificates: file '/nonexistent/fullchain.pem' does not exist or is not readable");
    }

    @Test
    void undefinedVariableNamesTheFileAndTheVariable() throws Exception {
        String shipped = MailpackTestServer.shippedConf("pop3server.xml");
        String conf = shipped.replace("${MAILPACK_POP3_TIMEOUT:-600}", "${POP3_TIMEOUT_UNSET}");
        org.assertj.core.api.Assertions.assertThat(conf).isNotEqualTo(shipped);
        MailpackTestServer.process().overlay("pop3server.xml", conf)
            .assertStartFailsWith("conf/pop3server.xml: variable ${POP3_TIMEOUT_UNSET} has no value");
    }

    @Test
    void aListenerWithoutDataLimitsFirstDoesNotStart() throws Exception {
        String shipped = MailpackTestServer.shippedConf("smtpserver.xml");
        String conf = shipped.replaceFirst("\\s*<handler class=\"com.diegonmarcos.mailpack.smtp.DataLimits\"/>", "");
        org.assertj.core.api.Assertions.assertThat(conf).isNotEqualTo(shipped);
        MailpackTestServer.process().overlay("smtpserver.xml", conf)
            .assertStartFailsWith("conf/smtpserver.xml: listener smtp-inbound", "must be com.diegonmarcos.mailpack.smtp.DataLimits");
    }

    @Test
    void aBadAttemptBoundNamesTheFileTheElementAndTheVariable() throws Exception {
        MailpackTestServer.process().variable("MAILPACK_MAX_PROCESSING_ATTEMPTS", "0")
            .assertStartFailsWith("conf/mailetcontainer.xml: <spooler><maxAttempts> must be a whole number from 1 to 100 "
                + "(MAILPACK_MAX_PROCESSING_ATTEMPTS), got '0'");
    }

    @Test
    void aPoisonRepositoryOfAnUnknownProtocolNamesTheFile() throws Exception {
        String shipped = MailpackTestServer.shippedConf("mailetcontainer.xml");
        String conf = shipped.replace("<poisonRepository>file://var/mail/poison/", "<poisonRepository>cassandra://var/mail/poison/");
        org.assertj.core.api.Assertions.assertThat(conf).isNotEqualTo(shipped);
        MailpackTestServer.process().overlay("mailetcontainer.xml", conf)
            .assertStartFailsWith("conf/mailetcontainer.xml: <spooler><poisonRepository> cassandra://var/mail/poison",
                "cannot be opened", "conf/mailrepositorystore.xml");
    }

    @Test
    void aBadImapLoginTimeoutNamesTheFileTheListenerAndTheSetting() throws Exception {
        MailpackTestServer.process().variable("MAILPACK_IMAP_LOGIN_TIMEOUT", "0")
            .assertStartFailsWith("conf/imapserver.xml: imapserver 'imaps': loginTimeout must be a whole number of seconds, 1 or more, got '0'");
    }

    @Test
    void anImapListenerWithoutALiteralLimitDoesNotStart() throws Exception {
        String shipped = MailpackTestServer.shippedConf("imapserver.xml");
        String conf = shipped.replaceFirst("<literalSizeLimit>[^<]*</literalSizeLimit>", "");
        org.assertj.core.api.Assertions.assertThat(conf).isNotEqualTo(shipped);
        MailpackTestServer.process().overlay("imapserver.xml", conf)
            .assertStartFailsWith("conf/imapserver.xml: imapserver 'imaps': literalSizeLimit must be set to the largest message accepted");
    }
}
