package com.diegonmarcos.mailpack.smtp;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.ratelimit.RateLimiter;
import com.diegonmarcos.mailpack.ratelimit.RateLimits;
import com.diegonmarcos.mailpack.ratelimit.RateVerdict;

/**
 * Rate limits of authenticated senders (submission, 587 and 465; {@code conf/ratelimits.xml},
 * {@code <sender>}, per-user overrides over webadmin): messages counted at MAIL, recipients at RCPT, each
 * per minute, hour and day. Over a limit: {@code 451 4.7.1} with the limit in words, and one INFO line.
 * Unauthenticated sessions are left to {@link RequireAuthentication}.
 *
 * <p>In {@code smtpserver.xml}, ports 587 and 465, after {@code RequireAuthentication}:
 * {@code <handler class="com.diegonmarcos.mailpack.smtp.SenderRateLimit"/>}.
 */
public class SenderRateLimit implements MailHook, RcptHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(SenderRateLimit.class);

    private final RateLimits limits;

    @Inject
    public SenderRateLimit(RateLimits limits) {
        this.limits = limits;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() == null) {
            return HookResult.DECLINED;
        }
        String user = session.getUsername().asString();
        try {
            RateVerdict verdict = limits.senderMessage(user);
            if (verdict.isAllowed()) {
                return HookResult.DECLINED;
            }
            LOGGER.info("Rate limit: refused MAIL FROM:<{}> of {} from {}: more than {}", sender.asString(), user,
                InboundRateLimit.ip(session), verdict.exceeded().orElseThrow().describe());
            return RateLimitReplies.limited(verdict.exceeded().orElseThrow(), "for " + user);
        } catch (RateLimiter.StoreUnavailableException e) {
            return RateLimitReplies.storeUnavailable();
        }
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress recipient) {
        if (session.getUsername() == null) {
            return HookResult.DECLINED;
        }
        String user = session.getUsername().asString();
        try {
            RateVerdict verdict = limits.senderRecipient(user);
            if (verdict.isAllowed()) {
                return HookResult.DECLINED;
            }
            LOGGER.info("Rate limit: refused RCPT TO:<{}> of {} from {}: more than {}", recipient, user,
                InboundRateLimit.ip(session), verdict.exceeded().orElseThrow().describe());
            return RateLimitReplies.limited(verdict.exceeded().orElseThrow(), "for " + user);
        } catch (RateLimiter.StoreUnavailableException e) {
            return RateLimitReplies.storeUnavailable();
        }
    }
}
