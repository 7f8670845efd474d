package com.diegonmarcos.mailpack.modules.smtp;

import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.netty.AllButStartTlsLineBasedChannelHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.smtpserver.ExtendedSMTPSession;

import com.diegonmarcos.mailpack.smtp.DataLimits;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ByteProcessor;

/**
 * James' SMTP line decoder, except for a line of message content (between DATA's {@code 354} and the
 * final dot) longer than the limit: instead of an error reply in the middle of DATA (and then a
 * {@code 250} for the same message, stored without that line), the line is skipped and
 * {@link DataLimits#LINE_TOO_LONG} is set, so the whole message gets one permanent refusal at its end.
 * Command lines keep James' behaviour ({@code 500 Line length exceeded}).
 *
 * <p>Memory stays bounded as in James: at most {@code maxLineLength} bytes of a line are buffered; and
 * the lines decoded but not yet handled are bounded too ({@link LinesInFlight}).
 */
final class DataAwareLineDecoder extends AllButStartTlsLineBasedChannelHandler {
    private final int maxLineLength;
    private final LinesInFlight inFlight = new LinesInFlight();
    private boolean skipping;

    DataAwareLineDecoder(ChannelPipeline pipeline, int maxLineLength) {
        super(pipeline, maxLineLength, false, "starttls");
        this.maxLineLength = maxLineLength;
    }

    /** {@link LinesInFlight} around this decoder (TLS, added first on STARTTLS, stays before it). */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        ctx.pipeline().addBefore(ctx.name(), LinesInFlight.RECEIVED, inFlight.received());
        ctx.pipeline().addAfter(ctx.name(), LinesInFlight.HANDLED, inFlight.handled());
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
        SMTPSession session = sessionInData(ctx);
        if (session == null) {
            skipping = false;
            return super.decode(ctx, buffer);
        }
        // Framed here, not by Netty's decoder: it remembers how far it searched a partial line, which
        // skipping bytes behind its back would invalidate. It is never left with a partial line here:
        // the DATA command before was a whole line.
        int start = buffer.readerIndex();
        int lineFeed = buffer.forEachByte(ByteProcessor.FIND_LF);
        if (lineFeed < 0) {
            if (skipping || buffer.readableBytes() > maxLineLength + 1) { // + 1: the line's CR may be there already
                tooLong(session);
                inFlight.dropped(ctx.channel(), buffer.readableBytes());
                buffer.skipBytes(buffer.readableBytes());
                skipping = true;
            }
            return null;
        }
        int frameLength = lineFeed + 1 - start;
        boolean crlf = frameLength > 1 && buffer.getByte(lineFeed - 1) == '\r';
        if (skipping || frameLength - (crlf ? 2 : 1) > maxLineLength) {
            tooLong(session);
            inFlight.dropped(ctx.channel(), frameLength);
            buffer.readerIndex(lineFeed + 1);
            skipping = false;
            return null;
        }
        // a copy, not a retained slice: a slice still being handled keeps the decoder from discarding the
        // bytes it has read, and its buffer then grew to the whole message (49 MB of direct memory)
        return buffer.readBytes(frameLength);
    }

    private void tooLong(SMTPSession session) {
        session.setAttachment(DataLimits.LINE_TOO_LONG, maxLineLength, State.Transaction);
    }

    private SMTPSession sessionInData(ChannelHandlerContext ctx) {
        Object session = retrieveSession(ctx);
        // James' DATA command opens the message's writer; the end of the message (or RSET) closes it
        if (session instanceof ExtendedSMTPSession && ((ExtendedSMTPSession) session).getMimeMessageWriter() != null) {
            return (SMTPSession) session;
        }
        return null;
    }
}
