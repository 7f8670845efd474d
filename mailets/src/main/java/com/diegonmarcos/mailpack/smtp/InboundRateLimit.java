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
import com.diegonmarcos.mailpack.routing.RecipientResolver;

/**
 * Rate limits of port 25 ({@code conf/ratelimits.xml}, {@code <inbound>}): connections per client
 * address (over the limit: {@code 421 4.7.1} instead of the greeting, then the connection is closed),
 * messages per client address (counted at MAIL, {@code 451 4.7.1}) and messages per local recipient
 * (counted at RCPT, {@code 451 4.7.1}) - per mailbox: a recipient counts for the mailbox
 * {@link RecipientResolver#mailbox} resolves it to, so {@code diego+x@}, the aliases of diego and every
 * local part the catch-all gives diego share diego's allowance (500 random local parts are 500
 * messages to diego, not one each). The reply names the address as sent, never the mailbox behind it
 * (an alias target or the catch-all target is nobody else's business). Each refusal logs one INFO line.
 *
 * <p>In {@code smtpserver.xml}, port 25, first in the chain (its connect check must come before the
 * greeting) and, for the recipient count, after nothing that accepts recipients:
 * {@code <handler class="com.diegonmarcos.mailpack.smtp.InboundRateLimit"/>}.
 */
public class InboundRateLimit implements ConnectHandler<SMTPSession>, MailHook, RcptHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(InboundRateLimit.class);

    private final RateLimits limits;
    private final DomainList domains;
    private final RecipientResolver recipients;

    @Inject
    public InboundRateLimit(RateLimits limits, DomainList domains, RecipientResolver recipients) {
        this.limits = limits;
        this.domains = domains;
        this.recipients = recipients;
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
            MailAddress mailbox = recipients.mailbox(recipient);
            RateVerdict verdict = limits.inboundRecipient(mailbox.asString());
            if (verdict.isAllowed()) {
                return HookResult.DECLINED;
            }
            LOGGER.info("Rate limit: refused RCPT TO:<{}> (mailbox {}) from {}: more than {}", recipient, mailbox.asString(), ip(session),
                verdict.exceeded().orElseThrow().describe());
            return RateLimitReplies.limited(verdict.exceeded().orElseThrow(), "to the mailbox of " + recipient.asString());
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
