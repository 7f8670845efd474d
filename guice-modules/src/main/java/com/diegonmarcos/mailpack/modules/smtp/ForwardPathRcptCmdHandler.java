package com.diegonmarcos.mailpack.modules.smtp;

import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.smtpserver.JamesRcptCmdHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * James' RCPT with the forward-path read as RFC 5321 §4.1.2 and §4.1.1.3 want it, before James parses
 * it:
 * <ul>
 *   <li>a source route ({@code <@relay.example:user@domain>}, "A-d-l") is ignored: servers "SHOULD
 *       ignore the routes", so the recipient is {@code user@domain} and goes through the usual local and
 *       relay checks;</li>
 *   <li>an address James cannot parse ({@code <@domain>}, {@code <>}, {@code <a@b@c>}) gets
 *       {@code 553 5.1.3} with one INFO line; James logs each such address with a stack trace;</li>
 *   <li>an address with octets outside ASCII, without SMTPUTF8 support, gets {@code 553 5.6.7}
 *       (RFC 6531's X.6.7, "non-ASCII addresses not permitted").</li>
 * </ul>
 * Everything else (the RCPT-before-MAIL check, parameters, hooks) is James' own.
 */
public class ForwardPathRcptCmdHandler extends JamesRcptCmdHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(ForwardPathRcptCmdHandler.class);
    /** RFC 5321 A-d-l ":" - {@code @one.example,@two.example:}; a domain is a name or an address literal */
    private static final Pattern SOURCE_ROUTE = Pattern.compile("^@(?:\\[[^\\]]*\\]|[^,:@\\[\\]\\s]+)(?:,@(?:\\[[^\\]]*\\]|[^,:@\\[\\]\\s]+))*:");
    private static final Response SYNTAX_ERROR = new SMTPResponse(SMTPRetCode.SYNTAX_ERROR_MAILBOX,
        DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.ADDRESS_SYNTAX) + " Syntax error in recipient address").immutable();
    private static final Response NON_ASCII = new SMTPResponse(SMTPRetCode.SYNTAX_ERROR_MAILBOX,
        "5.6.7 Non-ASCII addresses are not supported here").immutable();

    @Inject
    public ForwardPathRcptCmdHandler(MetricFactory metricFactory, DomainList domainList) {
        super(metricFactory, domainList);
    }

    @Override
    protected Response doFilterChecks(SMTPSession session, String command, String argument) {
        if (argument == null || session.getAttachment(SMTPSession.SENDER, State.Transaction).isEmpty()) {
            return super.doFilterChecks(session, command, argument);
        }
        int colon = argument.indexOf(':');
        if (colon <= 0 || !argument.substring(0, colon).trim().equalsIgnoreCase("TO")) {
            return super.doFilterChecks(session, command, argument);
        }
        String rest = argument.substring(colon + 1).trim();
        int close = rest.lastIndexOf('>');
        String parameters = "";
        if (close > 0 && rest.length() > close + 2 && rest.charAt(close + 1) == ' ') {
            parameters = rest.substring(close + 1);
            rest = rest.substring(0, close + 1);
        }
        if (rest.length() < 2 || !rest.startsWith("<") || !rest.endsWith(">")) {
            return super.doFilterChecks(session, command, argument); // James answers the missing brackets
        }
        String path = rest.substring(1, rest.length() - 1);
        String mailbox = SOURCE_ROUTE.matcher(path).replaceFirst("");
        String ip = session.getRemoteAddress().getAddress().getHostAddress();
        if (!mailbox.chars().allMatch(c -> c < 0x80)) {
            LOGGER.info("Refused RCPT TO:<{}> from {}: non-ASCII address", path, ip);
            return NON_ASCII;
        }
        try {
            new MailAddress(mailbox.indexOf('@') >= 0 ? mailbox : mailbox + "@" + getDefaultDomain());
        } catch (AddressException | IllegalArgumentException e) {
            LOGGER.info("Refused RCPT TO:<{}> from {}: {}", path, ip, e.getMessage());
            return SYNTAX_ERROR;
        }
        if (!mailbox.equals(path)) {
            LOGGER.debug("RCPT TO:<{}> from {}: source route ignored (RFC 5321 §4.1.1.3)", path, ip);
            return super.doFilterChecks(session, command, "TO:<" + mailbox + ">" + parameters);
        }
        return super.doFilterChecks(session, command, argument);
    }
}
