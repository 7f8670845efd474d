package com.diegonmarcos.mailpack.modules.smtp;

import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Back-pressure around James' SMTP line decoder: the bytes received (after TLS) but not yet handled
 * by James' command handler, with reading from the client paused while they are over
 * {@link #HIGH_WATER} and resumed under {@link #LOW_WATER}.
 *
 * <p>James reads on the channel's event loop, decodes lines on its {@code smtp-*} executor and handles
 * them (a DATA line: written to the message's file) on the event loop again, which keeps reading from
 * the socket meanwhile. A client sending faster than that (loopback, a fast LAN) piled up what was
 * read and decoded, all in direct buffers: one 49 MB message reached {@code -XX:MaxDirectMemorySize=64m}
 * and got {@code 451}, three at once took the server's other connections with them. With the pause at
 * most about {@link #HIGH_WATER} bytes per connection wait in memory and TCP slows the client down, as
 * a kernel socket buffer would. The decoder's buffer grows by doubling past what waits in it: with a
 * mark of 1 MiB the sixteen sessions of port 25, each sending a 9.5 MB message at once, grew buffers of
 * 4 MiB and together took the 64 MiB of direct memory ({@code 451} for one of them).
 *
 * <p>Two handlers on the event loop: {@link #received()} right before the decoder, {@link #handled()}
 * right after it (a line it passes on has been handled when {@code fireChannelRead} returns); bytes the
 * decoder drops (an over-long line) are reported with {@link #dropped}.
 */
final class LinesInFlight {
    static final String RECEIVED = "mailpack-received";
    static final String HANDLED = "mailpack-handled";
    static final long HIGH_WATER = 256 * 1024;
    static final long LOW_WATER = 64 * 1024;

    private final AtomicLong bytes = new AtomicLong();

    ChannelInboundHandlerAdapter received() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buffer && bytes.addAndGet(buffer.readableBytes()) > HIGH_WATER) {
                    ctx.channel().config().setAutoRead(false);
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    ChannelInboundHandlerAdapter handled() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                int length = msg instanceof ByteBuf buffer ? buffer.readableBytes() : 0;
                try {
                    ctx.fireChannelRead(msg);
                } finally {
                    done(ctx.channel(), length);
                }
            }
        };
    }

    /** Bytes the decoder skipped: never passed on, but no longer waiting either. */
    void dropped(Channel channel, int length) {
        done(channel, length);
    }

    private void done(Channel channel, long length) {
        if (bytes.addAndGet(-length) < LOW_WATER && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }
}
