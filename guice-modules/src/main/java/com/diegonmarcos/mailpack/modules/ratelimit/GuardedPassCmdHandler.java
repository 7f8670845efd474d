package com.diegonmarcos.mailpack.modules.ratelimit;

import javax.inject.Inject;
import javax.inject.Named;

import org.apache.james.mailbox.MailboxManager;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.pop3server.core.PassCmdHandler;
import org.apache.james.pop3server.mailbox.MailboxAdapterFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;

import com.diegonmarcos.mailpack.ratelimit.LoginGuard;

/**
 * POP3 PASS with brute-force protection: a banned client address or account gets
 * {@code -ERR [SYS/TEMP] Too many failed logins, try again later} (RFC 3206) without the password being
 * checked; a failed PASS is counted, a successful one clears the counters. In {@code pop3server.xml} in
 * place of James' {@code PassCmdHandler} (the handler list spells out James' core handlers without it).
 */
public class GuardedPassCmdHandler extends PassCmdHandler {
    private static final Response BANNED = new POP3Response(POP3Response.ERR_RESPONSE, "[SYS/TEMP] Too many failed logins, try again later").immutable();

    private final LoginGuard guard;

    @Inject
    public GuardedPassCmdHandler(@Named("mailboxmanager") MailboxManager manager, MailboxAdapterFactory mailboxAdapterFactory,
                                 MetricFactory metricFactory, LoginGuard guard) {
        super(manager, mailboxAdapterFactory, metricFactory);
        this.guard = guard;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        if (session.getHandlerState() != POP3Session.AUTHENTICATION_USERSET || request.getArgument() == null) {
            return super.onCommand(session, request);
        }
        String ip = session.getRemoteAddress().getAddress().getHostAddress();
        String user = session.getUsername() == null ? null : session.getUsername().asString();
        if (guard.refusal("pop3", ip, user).isPresent()) {
            session.setHandlerState(POP3Session.AUTHENTICATION_READY);
            return BANNED;
        }
        Response response = super.onCommand(session, request);
        if (POP3Response.OK_RESPONSE.equals(response.getRetCode())) {
            guard.succeeded(ip, user);
        } else if (session.getHandlerState() == POP3Session.AUTHENTICATION_READY && response.getLines().toString().contains("Authentication failed")) {
            guard.failed("pop3", ip, user);
        }
        return response;
    }
}
