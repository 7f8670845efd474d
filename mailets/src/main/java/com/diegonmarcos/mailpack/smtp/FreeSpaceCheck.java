package com.diegonmarcos.mailpack.smtp;

import java.util.Map;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.MessageHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.storage.FreeSpace;

/**
 * Refuses new mail with {@code 452 4.3.1 Insufficient system storage} while the disk holding the
 * server's data is under its free-space minimum ({@link FreeSpace}, {@code MAILPACK_MIN_FREE_MB}):
 * at MAIL, at RCPT (a transaction begun before the disk filled) and at the end of DATA (RFC 5321
 * §4.2.2/§4.2.5: 452 "insufficient system storage", a temporary failure; RFC 3463 X.3.1 "mail
 * system full"). The sender keeps the mail and retries, as it would for any 4xx; nothing is accepted
 * that the database or the queue journal might then fail to write.
 *
 * <p>In {@code smtpserver.xml}, in every listener, right after {@code DataLimits}:
 * {@code <handler class="com.diegonmarcos.mailpack.smtp.FreeSpaceCheck"/>}.
 */
public class FreeSpaceCheck implements MailHook, RcptHook, MessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(FreeSpaceCheck.class);
    static final String CODE = "452";
    static final String DESCRIPTION = "4.3.1 Insufficient system storage, try again later";
    private static final HookResult FULL = HookResult.builder()
        .hookReturnCode(HookReturnCode.denySoft())
        .smtpReturnCode(CODE)
        .smtpDescription(DESCRIPTION)
        .build();

    private final FreeSpace space;

    @Inject
    public FreeSpaceCheck(FreeSpace space) {
        this.space = space;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        return verdict(session, "MAIL FROM:<" + sender.asString() + ">");
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt, Map<String, String> parameters) {
        return verdict(session, "RCPT TO:<" + rcpt.asString() + ">");
    }

    @Override
    public HookResult onMessage(SMTPSession session, MailEnvelope mail) {
        return verdict(session, "DATA from <" + mail.getMaybeSender().asString() + ">");
    }

    private HookResult verdict(SMTPSession session, String command) {
        if (!space.isLow()) {
            return HookResult.DECLINED;
        }
        LOGGER.info("Refused {} from {} with 452 4.3.1: {}", command, InboundRateLimit.ip(session), space.describe());
        return FULL;
    }
}
