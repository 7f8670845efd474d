package com.diegonmarcos.mailpack.mailets;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.util.DurationParser;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.dkim.AuthResult;
import com.diegonmarcos.mailpack.dkim.AuthenticationResults;
import com.diegonmarcos.mailpack.dkim.DkimResult;
import com.diegonmarcos.mailpack.dkim.DkimVerifier;
import com.diegonmarcos.mailpack.dns.DnsClient;
import com.google.common.collect.ImmutableSet;

/**
 * Verifies the DKIM signatures of incoming mail (RFC 6376 §6): every signature up to
 * {@code maxSignatures}, both ed25519-sha256 and rsa-sha256, keys looked up with our own resolver
 * ({@link DnsClient}, conf/dnsresolver.xml). Writes the results
 *
 * <ul>
 * <li>in an {@code Authentication-Results} header field on top of the message (RFC 8601), one
 * {@code dkim=} result per signature, {@code dkim=none} when there is none; fields already claiming
 * our authserv-id are removed first (RFC 8601 §5: they are forged);</li>
 * <li>in the attribute {@code mailpack.dkim.results}: a list with one map per signature, keys
 * {@code result}, {@code domain}, {@code selector}, {@code algorithm}, {@code auid}, {@code reason},
 * {@code testing}, {@code bodyLength} (for DMARC).</li>
 * </ul>
 * A DNS failure is {@code temperror}, a bad key record {@code permerror}: nothing a message or the
 * DNS contains makes this mailet throw; only failing to read the message does.
 */
public class DkimVerify extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(DkimVerify.class);

    static final String AUTHSERV_ID = "authservId";
    static final String MAX_SIGNATURES = "maxSignatures";
    static final String PARTIAL_BODY = "partialBody";
    static final String CLOCK_SKEW = "clockSkew";
    static final String MIN_RSA_BITS = "minRsaBits";
    /** The parameters this mailet accepts; mailets/README.md documents exactly these. */
    public static final Set<String> PARAMETERS = ImmutableSet.of(AUTHSERV_ID, MAX_SIGNATURES, PARTIAL_BODY, CLOCK_SKEW, MIN_RSA_BITS);
    public static final AttributeName RESULTS = AttributeName.of("mailpack.dkim.results");

    private final DnsClient dns;
    private final Clock clock;
    private String authservId;
    private DkimVerifier verifier;

    @Inject
    public DkimVerify(DnsClient dns, Clock clock) {
        this.dns = dns;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(PARAMETERS);
        authservId = getInitParameterAsOptional(AUTHSERV_ID).map(String::trim).filter(id -> !id.isEmpty())
            .orElseThrow(() -> invalid(AUTHSERV_ID + " is required (this server's host name, e.g. ${MAILPACK_HOSTNAME})"));
        if (!authservId.matches("[A-Za-z0-9._-]+")) {
            throw invalid(AUTHSERV_ID + " '" + authservId + "' is not a host name");
        }
        int maxSignatures = integer(MAX_SIGNATURES, 5, 1, 50);
        DkimVerifier.PartialBody partialBody = partialBody(getInitParameter(PARTIAL_BODY, "policy"));
        Duration clockSkew = duration(CLOCK_SKEW, "5m");
        int minRsaBits = integer(MIN_RSA_BITS, 1024, 1024, 4096);
        verifier = new DkimVerifier(dns, maxSignatures, partialBody, clockSkew, minRsaBits);
        LOGGER.info("DkimVerify: authserv-id {}, at most {} signatures, partial bodies (l=) {}, clock skew {}, RSA keys of at least {} bits, {}",
            authservId, maxSignatures, partialBody.name().toLowerCase(Locale.ROOT), clockSkew, minRsaBits, dns);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.getAttribute(RESULTS).isPresent()) {
            // verified during the SMTP dialogue (smtp.DmarcCheck wrote the results and the field): not twice
            LOGGER.debug("DKIM already verified at SMTP time");
            return;
        }
        MimeMessage message = mail.getMessage();
        DkimVerifier.Verdict verdict;
        try {
            verdict = verifier.verify(out -> {
                try {
                    SaveWithoutParsing.writeTo(message, out);
                } catch (MessagingException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }, clock.instant());
        } catch (IOException e) {
            throw new MessagingException("DkimVerify: cannot read the message: " + e.getMessage(), e);
        }
        List<DkimResult> results = verdict.results();
        String field = AuthenticationResults.FIELD + ":" + AuthenticationResults.value(authservId, results);
        HeaderFields.prepend(message, List.of(field), line -> !isOurs(line));
        mail.setAttribute(resultsAttribute(results));
        results.stream().filter(result -> result.result() == AuthResult.TEMPERROR).findFirst().ifPresent(result ->
            LOGGER.warn("DKIM key lookup failing, results are temperror: {}", result.reason()));
        if (verdict.ignoredSignatures() > 0) {
            LOGGER.debug("{} DKIM signatures beyond the first {} not evaluated", verdict.ignoredSignatures(), results.size());
        }
        LOGGER.debug("DKIM: {}", results.isEmpty() ? "none" : results.stream()
            .map(result -> result.result().token() + " d=" + result.domain().orElse("?") + " s=" + result.selector().orElse("?")
                + (result.reason().isEmpty() ? "" : " (" + result.reason() + ")"))
            .collect(Collectors.joining(", ")));
    }

    /** An Authentication-Results line that claims our authserv-id (RFC 8601 §5: remove it, it is forged). */
    private boolean isOurs(String line) {
        int colon = line.indexOf(':');
        return colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(AuthenticationResults.FIELD)
            && AuthenticationResults.claims(line.substring(colon + 1), authservId);
    }

    /** The {@code mailpack.dkim.results} attribute for these results (also written by the port-25 DMARC hook). */
    public static Attribute resultsAttribute(List<DkimResult> results) {
        return new Attribute(RESULTS, AttributeValue.of(results.stream()
            .map(DkimVerify::attribute)
            .collect(Collectors.toList())));
    }

    private static AttributeValue<?> attribute(DkimResult result) {
        Map<String, AttributeValue<?>> map = new LinkedHashMap<>();
        map.put("result", AttributeValue.of(result.result().token()));
        result.domain().ifPresent(value -> map.put("domain", AttributeValue.of(value.toLowerCase(Locale.ROOT))));
        result.selector().ifPresent(value -> map.put("selector", AttributeValue.of(value)));
        result.algorithm().ifPresent(value -> map.put("algorithm", AttributeValue.of(value)));
        result.auid().ifPresent(value -> map.put("auid", AttributeValue.of(value)));
        map.put("reason", AttributeValue.of(result.reason()));
        map.put("testing", AttributeValue.of(result.testing()));
        result.bodyLength().ifPresent(value -> map.put("bodyLength", AttributeValue.of(value)));
        return AttributeValue.of(map);
    }

    private DkimVerifier.PartialBody partialBody(String value) throws MessagingException {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "policy":
                return DkimVerifier.PartialBody.POLICY;
            case "accept":
                return DkimVerifier.PartialBody.ACCEPT;
            default:
                throw invalid(PARTIAL_BODY + " must be 'policy' or 'accept', got '" + value + "'");
        }
    }

    private int integer(String parameter, int defaultValue, int min, int max) throws MessagingException {
        String value = getInitParameter(parameter, String.valueOf(defaultValue)).trim();
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw invalid(parameter + " must be between " + min + " and " + max + ", got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(parameter + " must be a number, got '" + value + "'");
        }
    }

    private Duration duration(String parameter, String defaultValue) throws MessagingException {
        String value = getInitParameter(parameter, defaultValue).trim();
        try {
            Duration duration = DurationParser.parse(value, ChronoUnit.SECONDS);
            if (duration.compareTo(Duration.ofDays(1)) > 0) {
                throw invalid(parameter + " of " + value + " is more than a day");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw invalid(parameter + ": '" + value + "' is not a duration such as 5m");
        }
    }

    private static MessagingException invalid(String problem) {
        return new MessagingException("DkimVerify: " + problem);
    }

    @Override
    public String getMailetInfo() {
        return "mailpack DkimVerify: DKIM verification, Authentication-Results";
    }
}
