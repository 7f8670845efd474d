package com.diegonmarcos.mailpack.smtp;

import java.util.Collection;
import java.util.Set;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code AUTH} with {@code 503 5.5.1} on a listener that must never authenticate (port 25), so
 * no password is ever checked there and no session on it can become a relay.
 *
 * <p>James 3.8.1's {@code <auth><announce>never</announce>} only hides AUTH from the EHLO reply: a
 * client that sends it anyway is authenticated against the users repository (and then may relay),
 * without the brute-force protection of {@code AuthenticationGuard}. Each refused attempt is logged
 * at INFO in the login guard's format ({@code mailpack auth failure: protocol=smtp ip=... user=-}, no
 * password was checked), so fail2ban bans a client that tries passwords on port 25.
 *
 * <p>In {@code smtpserver.xml}, on the inbound listener, before {@code CoreCmdHandlerLoader} (the first
 * handler of a command that answers wins): {@code <handler class="com.diegonmarcos.mailpack.smtp.NoAuthentication"/>}.
 */
public class NoAuthentication implements CommandHandler<SMTPSession> {
    private static final Logger LOGGER = LoggerFactory.getLogger(NoAuthentication.class);
    static final Response REFUSED = new SMTPResponse("503",
        "5.5.1 Authentication is not available on this port: mail clients submit on port 587 or 465").immutable();
    private static final Set<String> COMMANDS = Set.of("AUTH");

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        LOGGER.info("mailpack auth failure: protocol=smtp ip={} user=-", InboundRateLimit.ip(session));
        return REFUSED;
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
