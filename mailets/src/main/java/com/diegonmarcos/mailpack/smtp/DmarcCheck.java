package com.diegonmarcos.mailpack.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.dkim.AuthenticationResults;
import com.diegonmarcos.mailpack.dkim.DkimResult;
import com.diegonmarcos.mailpack.dkim.DkimVerifier;
import com.diegonmarcos.mailpack.dmarc.AuthenticationResultsField;
import com.diegonmarcos.mailpack.dmarc.DmarcChecker;
import com.diegonmarcos.mailpack.dmarc.DmarcOutcome;
import com.diegonmarcos.mailpack.dmarc.DmarcSettings;
import com.diegonmarcos.mailpack.dmarc.DmarcVerdict;
import com.diegonmarcos.mailpack.dmarc.FromDomains;
import com.diegonmarcos.mailpack.dmarc.Policy;
import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.mailets.DkimVerify;
import com.diegonmarcos.mailpack.mailets.HeaderFields;
import com.diegonmarcos.mailpack.mailets.SaveWithoutParsing;
import com.diegonmarcos.mailpack.spf.SpfChecker;
import com.diegonmarcos.mailpack.spf.SpfVerdict;

/**
 * Port 25, at the end of DATA: SPF (RFC 7208) for the client, DKIM (RFC 6376) for every signature,
 * then DMARC (RFC 7489) for each From domain, all before the reply, so a policy can be enforced in
 * the dialogue:
 * <ul>
 * <li>{@code reject} → {@code 550 5.7.1}, nothing accepted (no bounce later);</li>
 * <li>a DNS failure that leaves the disposition unknown → {@code 451 4.7.1} (or accepted with
 * {@code dmarc=temperror}, per {@code conf/dmarc.xml});</li>
 * <li>{@code quarantine} → accepted with attribute {@code mailpack.junk} (FileIntoJunk files it in Junk);</li>
 * <li>otherwise accepted.</li>
 * </ul>
 * Accepted mail gets one Authentication-Results field (spf, dkim, dmarc; forged ones claiming our
 * authserv-id removed) and the attributes {@code mailpack.spf.result}, {@code mailpack.dkim.results}
 * (so DkimVerify does not verify again) and {@code mailpack.dmarc.results}.
 */
public class DmarcCheck implements JamesMessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(DmarcCheck.class);

    public static final AttributeName SPF_RESULT = AttributeName.of("mailpack.spf.result");
    public static final AttributeName DMARC_RESULTS = AttributeName.of("mailpack.dmarc.results");
    public static final AttributeName JUNK = AttributeName.of("mailpack.junk");

    private final DmarcSettings settings;
    private final SpfChecker spf;
    private final DkimVerifier dkim;
    private final DmarcChecker dmarc;
    private final Clock clock;
    private final DmarcObserver observer;

    @Inject
    public DmarcCheck(DnsClient dns, Clock clock, DmarcSettings settings, DmarcObserver observer) {
        this(dns, clock, settings, observer, new SecureRandom());
    }

    DmarcCheck(DnsClient dns, Clock clock, DmarcSettings settings, DmarcObserver observer, Random random) {
        this.settings = settings;
        this.clock = clock;
        this.observer = observer;
        this.spf = new SpfChecker(dns);
        this.dkim = new DkimVerifier(dns, settings.maxSignatures(), settings.partialBody(), settings.clockSkew(), settings.minRsaBits());
        this.dmarc = new DmarcChecker(dns, settings.local(), () -> random.nextInt(100));
        LOGGER.info("DmarcCheck: authserv-id {}, DNS failures {}, {}", settings.authservId(),
            settings.tempFailOnTempError() ? "answered 451" : "accepted as temperror", settings.local());
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        try {
            return check(session, mail);
        } catch (MessagingException | IOException | RuntimeException e) {
            LOGGER.warn("Cannot authenticate the message: answering 451", e);
            return reply(HookReturnCode.denySoft(), "451", DSNStatus.TRANSIENT, DSNStatus.SYSTEM_OTHER,
                "Temporary failure checking the message, try again later");
        }
    }

    private HookResult check(SMTPSession session, Mail mail) throws MessagingException, IOException {
        InetAddress ip = session.getRemoteAddress().getAddress();
        String helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection).orElse("");
        String mailFrom = mail.getMaybeSender().asOptional().map(Object::toString).orElse("");
        MimeMessage message = mail.getMessage();

        SpfVerdict spfVerdict = spf.check(ip, mailFrom, helo);
        List<DkimResult> dkimResults = dkim.verify(out -> {
            try {
                SaveWithoutParsing.writeTo(message, out);
            } catch (MessagingException e) {
                throw new IOException(e.getMessage(), e);
            }
        }, clock.instant()).results();
        String[] fromFields = message.getHeader("From");
        List<String> fromDomains = FromDomains.of(fromFields == null ? List.of() : List.of(fromFields));
        DmarcOutcome outcome = dmarc.check(fromDomains, ip, spfVerdict, dkimResults);
        Policy disposition = outcome.disposition();

        LOGGER.debug("SPF {} ({}) for {}; DKIM {}; DMARC {}", spfVerdict.result(), spfVerdict.reason(), spfVerdict.sender(),
            dkimResults.stream().map(result -> result.result().token()).collect(Collectors.toList()),
            outcome.verdicts().stream().map(v -> v.fromDomain() + "=" + v.result() + "/" + v.disposition()).collect(Collectors.toList()));

        if (disposition == Policy.REJECT) {
            DmarcVerdict deciding = outcome.deciding();
            observer.evaluated(ip, spfVerdict, dkimResults, outcome, clock.instant());
            LOGGER.info("Rejected by the DMARC policy of {}: From {} from {} (SPF {}, {} DKIM signatures, none aligned)",
                deciding.fromDomain(), deciding.fromDomain(), ip.getHostAddress(), spfVerdict.result(), dkimResults.size());
            return reply(HookReturnCode.deny(), "550", DSNStatus.PERMANENT, DSNStatus.SECURITY_AUTH,
                "Rejected by the DMARC policy of " + deciding.fromDomain() + " (neither SPF nor DKIM authenticates it)");
        }
        if (outcome.undecided() && settings.tempFailOnTempError()) {
            String domain = outcome.verdicts().stream().filter(v -> v.result().token().equals("temperror"))
                .map(DmarcVerdict::fromDomain).findFirst().orElse("?");
            LOGGER.info("Temporary DNS failure checking DMARC for {} from {}: answering 451", domain, ip.getHostAddress());
            return reply(HookReturnCode.denySoft(), "451", DSNStatus.TRANSIENT, DSNStatus.SECURITY_AUTH,
                "Temporary DNS failure checking the DMARC policy of " + domain + ", try again later");
        }
        observer.evaluated(ip, spfVerdict, dkimResults, outcome, clock.instant());

        String field = AuthenticationResults.FIELD + ":"
            + AuthenticationResultsField.value(settings.authservId(), spfVerdict, dkimResults, outcome);
        HeaderFields.prepend(message, List.of(field), line -> !isOurs(line));
        mail.setAttribute(DkimVerify.resultsAttribute(dkimResults));
        mail.setAttribute(new Attribute(SPF_RESULT, AttributeValue.of(spfAttribute(spfVerdict))));
        mail.setAttribute(new Attribute(DMARC_RESULTS, AttributeValue.of(outcome.verdicts().stream()
            .map(DmarcCheck::dmarcAttribute).collect(Collectors.toList()))));
        if (disposition == Policy.QUARANTINE) {
            String reason = "dmarc=quarantine header.from=" + outcome.deciding().fromDomain();
            mail.setAttribute(new Attribute(JUNK, AttributeValue.of(reason)));
            LOGGER.info("Quarantined by the DMARC policy of {}: From {} from {}", outcome.deciding().fromDomain(),
                outcome.deciding().fromDomain(), ip.getHostAddress());
        }
        return HookResult.DECLINED;
    }

    private boolean isOurs(String line) {
        int colon = line.indexOf(':');
        return colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(AuthenticationResults.FIELD)
            && AuthenticationResults.claims(line.substring(colon + 1), settings.authservId());
    }

    private static Map<String, AttributeValue<?>> spfAttribute(SpfVerdict verdict) {
        Map<String, AttributeValue<?>> map = new LinkedHashMap<>();
        map.put("result", AttributeValue.of(verdict.result().token()));
        map.put("identity", AttributeValue.of(verdict.identity()));
        map.put("domain", AttributeValue.of(verdict.domain()));
        map.put("reason", AttributeValue.of(verdict.reason()));
        return map;
    }

    private static AttributeValue<?> dmarcAttribute(DmarcVerdict verdict) {
        Map<String, AttributeValue<?>> map = new LinkedHashMap<>();
        map.put("domain", AttributeValue.of(verdict.fromDomain()));
        map.put("result", AttributeValue.of(verdict.result().token()));
        map.put("policy", AttributeValue.of(verdict.requestedPolicy().token()));
        map.put("disposition", AttributeValue.of(verdict.disposition().token()));
        verdict.override().ifPresent(override -> map.put("override", AttributeValue.of(override)));
        map.put("reason", AttributeValue.of(verdict.reason()));
        return AttributeValue.of(map);
    }

    private static HookResult reply(HookReturnCode code, String smtpCode, int dsnType, String dsnDetail, String text) {
        return HookResult.builder()
            .hookReturnCode(code)
            .smtpReturnCode(smtpCode)
            .smtpDescription(DSNStatus.getStatus(dsnType, dsnDetail) + " " + text)
            .build();
    }

    /** Where evaluations are recorded (for aggregate reports); nothing by default. */
    public interface DmarcObserver {
        DmarcObserver NONE = (ip, spf, dkim, outcome, when) -> { };

        void evaluated(InetAddress ip, SpfVerdict spf, List<DkimResult> dkim, DmarcOutcome outcome, java.time.Instant when);
    }

}
