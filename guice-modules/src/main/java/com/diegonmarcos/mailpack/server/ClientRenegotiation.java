package com.diegonmarcos.mailpack.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses TLS 1.2 renegotiations that clients start (TLS 1.3 has none): each costs the server a full
 * handshake, so one connection could make it do them in a loop (testssl: "Secure Client-Initiated
 * Renegotiation VULNERABLE, potential DoS threat"). James' listeners use the JDK's SSLEngine, whose
 * switch is the system property {@value #PROPERTY} (default false). The JDK reads it once, in the
 * static initialiser of {@code sun.security.ssl.ServerHandshakeContext}, i.e. at the JVM's first
 * server-side handshake; {@link MailpackServer#create} sets it before any listener exists, so it holds
 * however the server is started (bin/mailpack, the Docker image, in-process tests) and whatever
 * {@code MAILPACK_JAVA_OPTS} says.
 */
final class ClientRenegotiation {
    static final String PROPERTY = "jdk.tls.rejectClientInitiatedRenegotiation";
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientRenegotiation.class);

    private ClientRenegotiation() {
    }

    static void refuse() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !Boolean.parseBoolean(configured)) {
            LOGGER.warn("-D{}={} ignored: mailpack always refuses client-initiated TLS renegotiation", PROPERTY, configured);
        }
        System.setProperty(PROPERTY, "true");
    }
}
