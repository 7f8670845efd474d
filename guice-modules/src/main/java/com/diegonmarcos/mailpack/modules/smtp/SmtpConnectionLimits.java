package com.diegonmarcos.mailpack.modules.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * The connection limits of one SMTP listener ({@code connectionLimit}, {@code connectionLimitPerIP}) in
 * place of James' two handlers, which close a connection over a limit without a word. Here a client on
 * a plain or STARTTLS listener is told {@code 421 4.7.0} (RFC 5321 §3.8: it retries later, as for any
 * 4xx) before the close; on an implicit-TLS listener nothing can be said before the handshake, so the
 * connection is closed as before. A refused connection never reaches the SMTP handler (no greeting, no
 * session), and one WARN line a minute at most says how many were refused.
 *
 * <p>The per-address counts are dropped when they fall to zero: James' map kept one entry for every
 * address ever seen, which IPv6 clients can grow without bound.
 */
@ChannelHandler.Sharable
final class SmtpConnectionLimits extends ChannelInboundHandlerAdapter {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpConnectionLimits.class);
    private static final AttributeKey<InetAddress> COUNTED = AttributeKey.valueOf("mailpackCountedConnection");
    private static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private final String listener;
    private final String helloName;
    private final int total;
    private final int perAddress;
    private final boolean canReply;
    private final Clock clock;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentMap<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();
    private final AtomicInteger refusedSinceLog = new AtomicInteger();
    private final AtomicLong nextLog = new AtomicLong();

    /**
     * @param total at most this many connections at once, 0 = no limit
     * @param perAddress at most this many from one address, 0 = no limit
     * @param canReply false on an implicit-TLS listener (no clear-text reply possible)
     */
    SmtpConnectionLimits(String listener, String helloName, int total, int perAddress, boolean canReply, Clock clock) {
        this.listener = listener;
        this.helloName = helloName;
        this.total = total;
        this.perAddress = perAddress;
        this.canReply = canReply;
        this.clock = clock;
    }

    boolean limits() {
        return total > 0 || perAddress > 0;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetAddress address = address(ctx.channel().remoteAddress());
        String over = admit(address);
        if (over == null) {
            ctx.channel().attr(COUNTED).set(address);
            super.channelActive(ctx);
            return;
        }
        refused(over);
        if (canReply) {
            String reply = "421 4.7.0 " + helloName + " too many connections " + over + ", try again later\r\n";
            ctx.writeAndFlush(Unpooled.copiedBuffer(reply, StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        InetAddress address = ctx.channel().attr(COUNTED).getAndSet(null);
        if (address == null) {
            return; // refused: the handlers after this one never saw it
        }
        release(address);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (ctx.channel().attr(COUNTED).get() != null) {
            super.channelRead(ctx, msg);
        } else {
            io.netty.util.ReferenceCountUtil.release(msg); // a refused client talking before the close
        }
    }

    /** Counts the connection in; null when admitted, else which limit it is over. */
    private String admit(InetAddress address) {
        int now = open.incrementAndGet();
        if (total > 0 && now > total) {
            open.decrementAndGet();
            return "on this port (" + total + ")";
        }
        if (perAddress > 0) {
            int fromAddress = byAddress.computeIfAbsent(address, key -> new AtomicInteger()).incrementAndGet();
            if (fromAddress > perAddress) {
                open.decrementAndGet();
                decrement(address);
                return "from " + address.getHostAddress() + " (" + perAddress + ")";
            }
        }
        return null;
    }

    private void release(InetAddress address) {
        open.decrementAndGet();
        if (perAddress > 0) {
            decrement(address);
        }
    }

    private void decrement(InetAddress address) {
        byAddress.computeIfPresent(address, (key, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    private void refused(String over) {
        int refused = refusedSinceLog.incrementAndGet();
        long now = clock.millis();
        long due = nextLog.get();
        if (now >= due && nextLog.compareAndSet(due, now + LOG_INTERVAL.toMillis())) {
            refusedSinceLog.addAndGet(-refused);
            LOGGER.warn("SMTP {}: refused {} connection(s) over the limit since the last such line, the latest {}",
                listener, refused, over);
        }
    }

    /** Open connections counted per address (for tests: entries go when their count is zero). */
    int addressesCounted() {
        return byAddress.size();
    }

    private static InetAddress address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress) {
            InetAddress address = ((InetSocketAddress) remote).getAddress();
            if (address != null) {
                return address;
            }
        }
        return InetAddress.getLoopbackAddress();
    }
}
