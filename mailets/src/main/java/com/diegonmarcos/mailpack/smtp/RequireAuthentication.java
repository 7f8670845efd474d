package com.diegonmarcos.mailpack.smtp;

import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;

/**
 * Submission ports (587, 465; RFC 6409 §4.3): MAIL is refused with {@code 530 5.7.0} until the client
 * has authenticated, whatever the recipient. James alone would let an unauthenticated client submit
 * to local recipients there, as on port 25.
 *
 * <p>In {@code smtpserver.xml}: {@code <handler class="com.diegonmarcos.mailpack.smtp.RequireAuthentication"/>}
 * before {@code CoreCmdHandlerLoader}.
 */
public class RequireAuthentication implements MailHook {
    static final HookResult AUTHENTICATION_REQUIRED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("530")
        .smtpDescription(DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.SECURITY_OTHER) + " Authentication required")
        .build();

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() == null) {
            return AUTHENTICATION_REQUIRED;
        }
        return HookResult.DECLINED;
    }
}
