package com.diegonmarcos.mailpack.smtp;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.ratelimit.RateLimiter;
import com.diegonmarcos.mailpack.ratelimit.RateLimits;
import com.diegonmarcos.mailpack.ratelimit.RateVerdict;
import com.diegonmarcos.mailpack.routing.Subaddress;
import com.diegonmarcos.mailpack.routing.SubaddressSettings;

/**
 * Rate limits of port 25 ({@code conf/ratelimits.xml}, {@code <inbound>}): connections per client
 * address (over the limit: {@code 421 4.7.1} instead of the greeting, then the connection is closed),
 * messages per client address (counted at MAIL, {@code 451 4.7.1}) and messages per local recipient
 * (counted at RCPT, {@code 451 4.7.1}; subaddresses count for their base address, {@code diego+x@} as
 * {@code diego@}). Each refusal logs one INFO line.
 *
 * <p>In {@code smtpserver.xml}, port 25, first in the chain (its connect check must come before the
 * greeting) and, for the recipient count, after nothing that accepts recipients:
 * {@code <handler class="com.diegonmarcos.mailpack.smtp.InboundRateLimit"/>}.
 */
public class InboundRateLimit implements ConnectHandler<SMTPSession>, MailHook, RcptHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(InboundRateLimit.class);

    private final RateLimits limits;
    private final DomainList domains;
    private final SubaddressSettings subaddressing;

    @Inject
    public InboundRateLimit(RateLimits limits, DomainList domains, SubaddressSettings subaddressing) {
        this.limits = limits;
        this.domains = domains;
        this.subaddressing = subaddressing;
    }

    @Override
    public Response onConnect(SMTPSession session) {
        String ip = ip(session);
        RateVerdict verdict;
        try {
            verdict = limits.connection(ip);
        } catch (RateLimiter.StoreUnavailableException e) {
            return null; // fail-closed applies to mail, never to the greeting
        }
        if (verdict.isAllowed()) {
            return null;
        }
        String limit = verdict.exceeded().orElseThrow().describe();
        LOGGER.info("Rate limit: refused connection from {}: more than {}", ip, limit);
        SMTPResponse response = new SMTPResponse("421", "4.7.1"
            + " Rate limit reached: at most " + limit + " from your address, try again later");
        response.setEndSession(true);
        return response;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        String ip = ip(session);
        try {
            RateVerdict verdict = limits.inboundMessage(ip);
            if (verdict.isAllowed()) {
                return HookResult.DECLINED;
            }
            LOGGER.info("Rate limit: refused MAIL FROM:<{}> from {}: more than {}", sender.asString(), ip, verdict.exceeded().orElseThrow().describe());
            return RateLimitReplies.limited(verdict.exceeded().orElseThrow(), "from your address");
        } catch (RateLimiter.StoreUnavailableException e) {
            return RateLimitReplies.storeUnavailable();
        }
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress recipient) {
        try {
            if (!domains.containsDomain(recipient.getDomain())) {
                return HookResult.DECLINED;
            }
            MailAddress mailbox = Subaddress.parse(recipient, subaddressing.separator()).map(Subaddress::base).orElse(recipient);
            RateVerdict verdict = limits.inboundRecipient(mailbox.asString());
            if (verdict.isAllowed()) {
                return HookResult.DECLINED;
            }
            LOGGER.info("Rate limit: refused RCPT TO:<{}> from {}: more than {}", recipient, ip(session), verdict.exceeded().orElseThrow().describe());
            return RateLimitReplies.limited(verdict.exceeded().orElseThrow(), "to " + mailbox.asString());
        } catch (RateLimiter.StoreUnavailableException e) {
            return RateLimitReplies.storeUnavailable();
        } catch (Exception e) {
            LOGGER.warn("Cannot check the rate limit of {}: answering 451", recipient, e);
            return RateLimitReplies.storeUnavailable();
        }
    }

    static String ip(SMTPSession session) {
        return session.getRemoteAddress().getAddress().getHostAddress();
    }
}
