package com.diegonmarcos.mailpack.modules.imap;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imapserver.netty.NettyConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Closes an IMAP connection that has not logged in within {@code seconds} of connecting, with
 * {@code * BYE}. James' own timeout ({@code <timeout>}, at least 30 minutes as RFC 3501 §5.4 asks of
 * authenticated sessions) applies to every session alike, so a client that never logs in could hold a
 * connection slot for half an hour, or forever by sending NOOP; this deadline does not move with traffic.
 * One instance per connection.
 */
final class LoginDeadline extends ChannelInboundHandlerAdapter {
    private static final Logger LOGGER = LoggerFactory.getLogger(LoginDeadline.class);

    private final int seconds;
    private ScheduledFuture<?> deadline;

    LoginDeadline(int seconds) {
        this.seconds = seconds;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        deadline = ctx.executor().schedule(() -> expire(ctx), seconds, TimeUnit.SECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void expire(ChannelHandlerContext ctx) {
        ImapSession session = ctx.channel().attr(NettyConstants.IMAP_SESSION_ATTRIBUTE_KEY).get();
        if (!ctx.channel().isActive() || session == null || session.getState() != ImapSessionState.NON_AUTHENTICATED) {
            return;
        }
        LOGGER.info("IMAP: {} did not log in within {} s of connecting; closing the connection",
            GuardedImapRequestDecoder.ip(ctx.channel().remoteAddress()), seconds);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(("* BYE No login within " + seconds + " seconds\r\n").getBytes(StandardCharsets.US_ASCII)))
            .addListener(ChannelFutureListener.CLOSE);
    }
}
