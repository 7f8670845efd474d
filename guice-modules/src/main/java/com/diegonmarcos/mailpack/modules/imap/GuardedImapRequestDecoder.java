package com.diegonmarcos.mailpack.modules.imap;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imapserver.netty.ImapRequestFrameDecoder;
import org.apache.james.imapserver.netty.NettyConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * James' IMAP request decoder with limits checked before James reads a byte of a command.
 *
 * <p>James 3.8.1 answers {@code + Ok} to any literal, before login too, and spools one larger than
 * {@code inMemorySizeLimit} to a temporary file (CVE-2024-37358); after a literal, the rest of the command is
 * buffered without a line-length limit and re-parsed from its start on every read. Here each read first
 * measures the command's framing ({@link CommandFraming}) against the session's {@link ImapLimits}:
 * <ul>
 *   <li>before authentication the whole command, literals included, has {@code unauthenticated} bytes
 *       at most: a bigger one gets {@code BAD [TOOBIG]} (or {@code BAD} for a long line), {@code * BYE}, and
 *       the connection is closed without "+" ever being sent;</li>
 *   <li>after it, a synchronizing literal over the limit gets {@code NO [TOOBIG]} and the command is
 *       dropped: the client has not sent the data (it waits for "+") and the connection stays usable;
 *       a non-synchronizing one ({@code {N+}}, RFC 7888), whose data is already on its way, gets
 *       {@code BAD [TOOBIG]} and the connection is closed, as are over-long lines and too many literals.</li>
 * </ul>
 * While James reads raw lines through a line handler (AUTHENTICATE, IDLE) or streams a literal it already
 * accepted into a file, input passes untouched (the line framer bounds those lines).
 */
final class GuardedImapRequestDecoder extends ImapRequestFrameDecoder {
    private static final Logger LOGGER = LoggerFactory.getLogger(GuardedImapRequestDecoder.class);
    /** Where James' decoder keeps the sink of a literal it is writing to a temporary file (3.8.1). */
    private static final String JAMES_FILE_SINK = "SINK";

    private final ImapLimits limits;
    private final AtomicInteger lineHandlers = new AtomicInteger();
    private boolean closing;
    /** The literal of the current command the client was last invited to send, see {@link #invite}. */
    private int continued;

    GuardedImapRequestDecoder(ImapDecoder decoder, int inMemorySizeLimit, int literalSizeLimit, int maxLineLength, ImapLimits limits) {
        super(decoder, inMemorySizeLimit, literalSizeLimit, maxLineLength);
        this.limits = limits;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (closing) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (lineHandlers.get() == 0 && !spoolingToFile(ctx)) {
            boolean authenticated = authenticated(ctx.channel().attr(NettyConstants.IMAP_SESSION_ATTRIBUTE_KEY).get());
            CommandFraming.Limits applied = authenticated ? limits.authenticated() : limits.unauthenticated();
            CommandFraming.Verdict verdict = CommandFraming.scan(in, applied);
            if (verdict.outcome() != CommandFraming.Outcome.WITHIN) {
                continued = 0;
                refuse(ctx, in, verdict, authenticated, applied);
                return;
            }
            invite(ctx, verdict.awaitedLiteral());
        }
        super.decode(ctx, in, out);
    }

    /**
     * James 3.8.1 sends "+" for the first synchronizing literal of a command only: it re-reads the command
     * from its start for every later one, in a mode that sends no continuation, and a client that waits as
     * RFC 3501 §4.3 asks (LOGIN with a literal user and a literal password) would wait forever. This sends it
     * once for each later literal, when its announcement has arrived and none of its data.
     */
    private void invite(ChannelHandlerContext ctx, int awaitedLiteral) {
        if (awaitedLiteral >= 2 && awaitedLiteral != continued) {
            write(ctx, "+ Ok");
        }
        continued = awaitedLiteral;
    }

    private static boolean authenticated(ImapSession session) {
        return session != null
            && (session.getState() == ImapSessionState.AUTHENTICATED || session.getState() == ImapSessionState.SELECTED);
    }

    private static boolean spoolingToFile(ChannelHandlerContext ctx) {
        Map<String, Object> attachment = ctx.channel().attr(NettyConstants.FRAME_DECODE_ATTACHMENT_ATTRIBUTE_KEY).get();
        return attachment != null && attachment.containsKey(JAMES_FILE_SINK);
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, CommandFraming.Verdict verdict, boolean authenticated,
                        CommandFraming.Limits applied) {
        String ip = ip(ctx.channel().remoteAddress());
        String tag = verdict.tag();
        switch (verdict.outcome()) {
            case LITERAL_TOO_LARGE:
                if (authenticated && verdict.synchronizing()) {
                    LOGGER.info("IMAP: refused a {}-byte literal from {} (at most {} bytes)", verdict.literalSize(), ip, applied.literalBytes());
                    write(ctx, tag + " NO [TOOBIG] Literal of " + verdict.literalSize() + " bytes is larger than the "
                        + applied.literalBytes() + " bytes this server accepts");
                    in.readerIndex(verdict.resumeAt());
                    forgetCommand(ctx);
                    return;
                }
                LOGGER.info("IMAP: refused a {}-byte literal from {} {}(at most {} bytes); closing the connection",
                    verdict.literalSize(), ip, authenticated ? "" : "before authentication ", applied.literalBytes());
                close(ctx, in, tag + " BAD [TOOBIG] " + (authenticated
                    ? "Literal of " + verdict.literalSize() + " bytes is larger than the " + applied.literalBytes() + " bytes this server accepts"
                    : "Literal too large before authentication (at most " + applied.commandBytes() + " bytes)"));
                return;
            case TOO_MANY_LITERALS:
                LOGGER.info("IMAP: refused a command with more than {} literals from {}; closing the connection", applied.literals(), ip);
                close(ctx, in, tag + " BAD Too many literals in one command (at most " + applied.literals() + ")");
                return;
            default:
                int lineLimit = authenticated ? applied.lineBytes() : (int) Math.min(applied.lineBytes(), applied.commandBytes());
                LOGGER.info("IMAP: refused a command line longer than {} bytes from {} {}; closing the connection", lineLimit, ip,
                    authenticated ? "" : "before authentication");
                close(ctx, in, tag + " BAD " + (authenticated ? "Command line too long" : "Command too long before authentication")
                    + " (at most " + lineLimit + " bytes)");
        }
    }

    /** The refused command is dropped: James' decoder starts afresh with the next line. */
    private void forgetCommand(ChannelHandlerContext ctx) {
        Map<String, Object> attachment = ctx.channel().attr(NettyConstants.FRAME_DECODE_ATTACHMENT_ATTRIBUTE_KEY).get();
        if (attachment != null) {
            attachment.clear();
        }
        enableFraming(ctx);
    }

    private void close(ChannelHandlerContext ctx, ByteBuf in, String response) {
        closing = true;
        in.skipBytes(in.readableBytes());
        ctx.writeAndFlush(ascii(response + "\r\n* BYE Closing connection\r\n")).addListener(ChannelFutureListener.CLOSE);
    }

    private static void write(ChannelHandlerContext ctx, String response) {
        ctx.writeAndFlush(ascii(response + "\r\n"));
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    static String ip(SocketAddress address) {
        return address instanceof InetSocketAddress && ((InetSocketAddress) address).getAddress() != null
            ? ((InetSocketAddress) address).getAddress().getHostAddress()
            : String.valueOf(address);
    }

    @Override
    public void pushLineHandler(ChannelInboundHandlerAdapter lineHandlerUpstreamHandler) {
        lineHandlers.incrementAndGet();
        super.pushLineHandler(lineHandlerUpstreamHandler);
    }

    @Override
    public void popLineHandler() {
        lineHandlers.getAndUpdate(count -> Math.max(0, count - 1));
        super.popLineHandler();
    }
}
