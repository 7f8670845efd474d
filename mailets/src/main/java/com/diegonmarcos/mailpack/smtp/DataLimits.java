package com.diegonmarcos.mailpack.smtp;

import java.util.Optional;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MessageHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, with one permanent reply at the end of DATA, a message that is bigger than the advertised
 * {@code SIZE} or that has a line longer than the server reads, instead of storing a changed copy.
 *
 * <p>James 3.8.1 answers a line over 8,192 bytes with {@code 500 Line length exceeded} in the middle of
 * DATA, drops that line, and then answers {@code 250} for the rest of the message: two replies to one
 * DATA and a stored message missing a line. Our SMTP line decoder ({@code modules.smtp}) no longer
 * answers there during DATA; it skips the line and sets {@link #LINE_TOO_LONG}, and this handler
 * answers {@code 554 5.6.0} at the final dot. RFC 5322 §2.1.1 allows 998 characters a line, so 8 KiB
 * refuses only mail that would not survive other servers either.
 *
 * <p>Over the size limit James answers {@code 552 Quota exceeded}, without an enhanced code and after
 * keeping the lines it read. Here lines past the limit are dropped as they come (nothing more is
 * written to disk), and the reply is {@code 552 5.3.4} with the limit.
 *
 * <p>In {@code smtpserver.xml}: the first handler of every listener, so its line filter sees each line
 * first and its message hook refuses before any other check looks at the message:
 * {@code <handler class="com.diegonmarcos.mailpack.smtp.DataLimits"/>}. The server refuses to start
 * without it.
 */
public class DataLimits implements DataLineFilter, MessageHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(DataLimits.class);

    /** Set (transaction state) by the line decoder when it skipped a line of DATA that was too long. */
    public static final ProtocolSession.AttachmentKey<Integer> LINE_TOO_LONG =
        ProtocolSession.AttachmentKey.of("mailpack.data.lineTooLong", Integer.class);
    private static final ProtocolSession.AttachmentKey<Long> OCTETS =
        ProtocolSession.AttachmentKey.of("mailpack.data.octets", Long.class);
    private static final ProtocolSession.AttachmentKey<Boolean> TOO_BIG =
        ProtocolSession.AttachmentKey.of("mailpack.data.tooBig", Boolean.class);

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        if (isFinalDot(line)) {
            return next.onLine(session, line);
        }
        if (failed(session)) {
            return null; // refused at the final dot: keep nothing more of it
        }
        long octets = session.getAttachment(OCTETS, State.Transaction).orElse(0L) + line.length;
        session.setAttachment(OCTETS, octets, State.Transaction);
        long limit = session.getConfiguration().getMaxMessageSize();
        if (limit > 0 && octets > limit) {
            session.setAttachment(TOO_BIG, Boolean.TRUE, State.Transaction);
            return null;
        }
        return next.onLine(session, line);
    }

    @Override
    public HookResult onMessage(SMTPSession session, MailEnvelope mail) {
        String ip = InboundRateLimit.ip(session);
        Optional<Integer> lineLimit = session.getAttachment(LINE_TOO_LONG, State.Transaction);
        if (lineLimit.isPresent()) {
            int longest = lineLimit.get();
            LOGGER.info("Refused a message from {} at {}: a line is longer than {} bytes", mail.getMaybeSender().asString(), ip, longest);
            return HookResult.builder()
                .hookReturnCode(HookReturnCode.deny())
                .smtpReturnCode("554")
                .smtpDescription("5.6.0 Message refused: a line is longer than " + longest
                    + " bytes (RFC 5322 allows 998); nothing was delivered, send it with long lines encoded (quoted-printable or base64)")
                .build();
        }
        if (session.getAttachment(TOO_BIG, State.Transaction).orElse(false)) {
            long limit = session.getConfiguration().getMaxMessageSize();
            LOGGER.info("Refused a message from {} at {}: larger than the {} bytes advertised", mail.getMaybeSender().asString(), ip, limit);
            return HookResult.builder()
                .hookReturnCode(HookReturnCode.deny())
                .smtpReturnCode("552")
                .smtpDescription("5.3.4 Message too big: this server accepts at most " + limit + " bytes (SIZE " + limit + ")")
                .build();
        }
        return HookResult.DECLINED;
    }

    private static boolean failed(SMTPSession session) {
        return session.getAttachment(LINE_TOO_LONG, State.Transaction).isPresent()
            || session.getAttachment(TOO_BIG, State.Transaction).orElse(false);
    }

    private static boolean isFinalDot(byte[] line) {
        return line.length == 3 && line[0] == '.'; // as James' own DATA handler reads it
    }
}
