package com.diegonmarcos.mailpack.smtp;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.routing.RecipientResolver;
import com.diegonmarcos.mailpack.routing.RecipientVerdict;

/**
 * RCPT check for local domains on port 25, in place of James' {@code ValidRcptHandler}: a user, an
 * alias or mapping, a subaddress of one, or an address the domain's catch-all takes is accepted;
 * anything else gets {@code 550 5.1.1} during the dialogue, so the server never bounces it later
 * (no backscatter). A failing user store or rewrite table is a {@code 451 4.3.0}, never a false 550.
 * An address the stores cannot even look up (James' user names refuse some local parts a valid
 * address may have) is refused for good, {@code 553 5.1.3}, with one INFO line and no stack trace: a
 * hostile or broken address must never read as a server failure the sender should retry.
 * Non-local domains are left to the relay check.
 */
public class ValidLocalRecipient implements RcptHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(ValidLocalRecipient.class);

    private final RecipientResolver resolver;
    private final DomainList domains;

    @Inject
    public ValidLocalRecipient(RecipientResolver resolver, DomainList domains) {
        this.resolver = resolver;
        this.domains = domains;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress recipient) {
        try {
            if (!domains.containsDomain(recipient.getDomain())) {
                return HookResult.DECLINED;
            }
            RecipientVerdict verdict = resolver.resolve(recipient);
            if (verdict.accepted()) {
                return HookResult.DECLINED;
            }
            LOGGER.info("Rejected unknown recipient {} from {}", recipient, session.getRemoteAddress().getAddress().getHostAddress());
            return HookResult.builder()
                .hookReturnCode(HookReturnCode.deny())
                .smtpReturnCode("550")
                .smtpDescription(DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.ADDRESS_MAILBOX) + " " + recipient + ": no such user here")
                .build();
        } catch (IllegalArgumentException e) {
            LOGGER.info("Rejected recipient {} from {}: {}", recipient, session.getRemoteAddress().getAddress().getHostAddress(), e.getMessage());
            return HookResult.builder()
                .hookReturnCode(HookReturnCode.deny())
                .smtpReturnCode("553")
                .smtpDescription(DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.ADDRESS_SYNTAX) + " " + recipient + ": mailbox name not allowed")
                .build();
        } catch (Exception e) {
            LOGGER.warn("Cannot check recipient {}: answering 451", recipient, e);
            return HookResult.builder()
                .hookReturnCode(HookReturnCode.denySoft())
                .smtpReturnCode("451")
                .smtpDescription(DSNStatus.getStatus(DSNStatus.TRANSIENT, DSNStatus.SYSTEM_OTHER) + " Temporary failure checking the recipient, try again later")
                .build();
        }
    }
}
