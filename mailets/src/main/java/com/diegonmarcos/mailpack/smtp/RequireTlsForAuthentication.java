package com.diegonmarcos.mailpack.smtp;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

/**
 * Refuses AUTH on a plain-text connection with {@code 538 5.7.11} (RFC 4954 §6), whatever the
 * password. James 3.8.1's {@code <requireSSL>} only hides AUTH from the EHLO reply before STARTTLS;
 * a client that sends AUTH anyway is authenticated. Implicit-TLS listeners are always encrypted and
 * never reach this refusal.
 *
 * <p>In {@code smtpserver.xml}: {@code <handler class="com.diegonmarcos.mailpack.smtp.RequireTlsForAuthentication"/>}
 * before {@code CoreCmdHandlerLoader}, so it is asked before the users repository.
 */
public class RequireTlsForAuthentication implements AuthHook {
    static final HookResult ENCRYPTION_REQUIRED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("538")
        .smtpDescription("5.7.11 Encryption required for requested authentication mechanism")
        .build();

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        if (session.isTLSStarted()) {
            return HookResult.DECLINED;
        }
        return ENCRYPTION_REQUIRED;
    }

    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        if (session.isTLSStarted()) {
            return HookResult.DECLINED;
        }
        return ENCRYPTION_REQUIRED;
    }
}
