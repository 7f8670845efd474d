package com.diegonmarcos.mailpack.modules.ratelimit;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import javax.inject.Inject;

import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.request.ImapRequest;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapLineHandler;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.IRAuthenticateRequest;
import org.apache.james.imap.message.request.AuthenticateRequest;
import org.apache.james.imap.message.request.LoginRequest;
import org.apache.james.imap.processor.DefaultProcessor;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.util.MDCBuilder;
import org.slf4j.MDC;

import com.diegonmarcos.mailpack.ratelimit.LoginGuard;

import reactor.core.publisher.Mono;

/**
 * James' IMAP processor with brute-force protection in front of LOGIN and AUTHENTICATE (James 3.8.1 has
 * no IMAP authentication hook): a banned client address or account gets
 * {@code NO [ALERT] Too many failed logins, try again later} without the password being checked;
 * after the command, a session still unauthenticated counts as a failure, an authenticated one as a
 * success. For AUTHENTICATE PLAIN without an initial response the credentials line is checked and counted
 * the same way. Refusals for missing TLS ({@code LOGINDISABLED}) are not counted.
 */
public class GuardedImapProcessor implements ImapProcessor {
    /** The session attribute where James' IMAP channel handler keeps the connection's MDC (with "ip"). */
    static final String BOUND_MDC = "bound_MDC";
    private static final HumanReadableText BANNED = new HumanReadableText("mailpack.imap.BANNED", "Too many failed logins, try again later");

    private final DefaultProcessor delegate;
    private final LoginGuard guard;
    private final StatusResponseFactory responses;

    @Inject
    public GuardedImapProcessor(DefaultProcessor delegate, LoginGuard guard, StatusResponseFactory responses) {
        this.delegate = delegate;
        this.guard = guard;
        this.responses = responses;
    }

    @Override
    public void process(ImapMessage message, Responder responder, ImapSession session) {
        processReactive(message, responder, session).block();
    }

    @Override
    public Mono<Void> processReactive(ImapMessage message, Responder responder, ImapSession session) {
        boolean login = message instanceof LoginRequest;
        boolean authenticate = message instanceof AuthenticateRequest;
        if (!(login || authenticate) || session.getState() != ImapSessionState.NON_AUTHENTICATED || session.isPlainAuthDisallowed()) {
            return delegate.processReactive(message, responder, session);
        }
        String ip = ip(session);
        String user = login ? ((LoginRequest) message).getUserid().asString() : initialResponseUser(message);
        ImapRequest request = (ImapRequest) message;
        if (guard.refusal("imap", ip, user).isPresent()) {
            responder.respond(responses.taggedNo(request.getTag(), request.getCommand(), BANNED,
                StatusResponse.ResponseCode.alert()));
            return Mono.empty();
        }
        if (!login && !(message instanceof IRAuthenticateRequest)) {
            // AUTHENTICATE PLAIN without initial response: the credentials come in the next line
            return delegate.processReactive(message, responder, continuationGuarded(session, ip, request, responder));
        }
        return delegate.processReactive(message, responder, session)
            .then(Mono.fromRunnable(() -> {
                record(session, ip, user);
            }));
    }

    private void record(ImapSession session, String ip, String user) {
        if (session.getState() == ImapSessionState.NON_AUTHENTICATED) {
            guard.failed("imap", ip, user);
        } else {
            guard.succeeded(ip, session.getUserName() == null ? user : session.getUserName().asString());
        }
    }

    /**
     * The session as James' AUTHENTICATE processor sees it, except that the line handler it pushes for the
     * client's credentials is wrapped: the account is checked for a ban first, the outcome counted after.
     */
    private ImapSession continuationGuarded(ImapSession session, String ip, ImapRequest request, Responder responder) {
        InvocationHandler handler = (proxy, method, arguments) -> {
            if (method.getName().equals("pushLineHandler") && arguments.length == 1) {
                ImapLineHandler credentials = (ImapLineHandler) arguments[0];
                session.pushLineHandler((requestSession, data) -> {
                    String line = new String(data, StandardCharsets.US_ASCII).trim();
                    if (line.equals("*")) {
                        credentials.onLine(requestSession, data);
                        return;
                    }
                    String user = plainUser(line);
                    if (user != null && guard.refusal("imap", ip, user).isPresent()) {
                        requestSession.popLineHandler();
                        responder.respond(responses.taggedNo(request.getTag(), request.getCommand(), BANNED,
                            StatusResponse.ResponseCode.alert()));
                        responder.flush();
                        return;
                    }
                    credentials.onLine(requestSession, data);
                    record(requestSession, ip, user);
                });
                return null;
            }
            try {
                return method.invoke(session, arguments);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (ImapSession) Proxy.newProxyInstance(ImapSession.class.getClassLoader(), new Class<?>[] {ImapSession.class}, handler);
    }

    /** The authentication identity of an AUTHENTICATE PLAIN initial response, when there is one. */
    private static String initialResponseUser(ImapMessage message) {
        if (!(message instanceof IRAuthenticateRequest)) {
            return null;
        }
        return plainUser(((IRAuthenticateRequest) message).getInitialClientResponse());
    }

    /** The authentication identity of a SASL PLAIN response ({@code base64(authz NUL authc NUL password)}). */
    private static String plainUser(String base64) {
        try {
            String decoded = new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
            String[] parts = decoded.split("\0", -1);
            return parts.length == 3 && !parts[1].isEmpty() ? parts[1] : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String ip(ImapSession session) {
        String ip = MDC.get(MDCBuilder.IP);
        if (ip != null) {
            return ip;
        }
        Object bound = session.getAttribute(BOUND_MDC);
        if (bound instanceof MDCBuilder) {
            try (Closeable context = ((MDCBuilder) bound).build()) {
                return MDC.get(MDCBuilder.IP);
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    @Override
    public void configure(ImapConfiguration imapConfiguration) {
        delegate.configure(imapConfiguration);
    }
}
