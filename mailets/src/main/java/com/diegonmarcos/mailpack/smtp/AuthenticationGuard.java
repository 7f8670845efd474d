package com.diegonmarcos.mailpack.smtp;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.ratelimit.LoginGuard;

/**
 * SMTP AUTH with brute-force protection ({@link LoginGuard}): a banned client address (or account) gets
 * {@code 454 4.7.0} before the password is looked at; otherwise the password is checked against the users
 * repository (in place of James' {@code UsersRepositoryAuthHook}, which it answers for), a failure is
 * counted and answered {@code 535 5.7.8}, a success clears the counters.
 *
 * <p>In {@code smtpserver.xml}, ports 587 and 465, after {@code RequireTlsForAuthentication} and before
 * {@code CoreCmdHandlerLoader}: {@code <handler class="com.diegonmarcos.mailpack.smtp.AuthenticationGuard"/>}.
 */
public class AuthenticationGuard implements AuthHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(AuthenticationGuard.class);
    static final HookResult BANNED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("454")
        .smtpDescription("4.7.0 Too many failed logins, try again later")
        .build();
    static final HookResult FAILED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("535")
        .smtpDescription("5.7.8 Authentication credentials invalid")
        .build();

    private final LoginGuard guard;
    private final UsersRepository users;

    @Inject
    public AuthenticationGuard(LoginGuard guard, UsersRepository users) {
        this.guard = guard;
        this.users = users;
    }

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        String ip = InboundRateLimit.ip(session);
        if (guard.refusal("smtp", ip, username.asString()).isPresent()) {
            return BANNED;
        }
        boolean valid;
        try {
            valid = users.test(username, password);
        } catch (UsersRepositoryException e) {
            LOGGER.warn("Cannot check the password of {}: answering 454", username.asString(), e);
            return HookResult.builder()
                .hookReturnCode(HookReturnCode.denySoft())
                .smtpReturnCode("454")
                .smtpDescription("4.7.0 Temporary authentication failure")
                .build();
        }
        if (!valid) {
            guard.failed("smtp", ip, username.asString());
            return FAILED;
        }
        guard.succeeded(ip, username.asString());
        session.setUsername(username);
        session.setRelayingAllowed(true);
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.ok())
            .smtpDescription("Authentication Successful")
            .build();
    }

    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return HookResult.DECLINED;
    }
}
