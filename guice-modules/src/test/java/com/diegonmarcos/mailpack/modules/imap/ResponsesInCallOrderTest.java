package com.diegonmarcos.mailpack.modules.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The write order James' IMAP responses depend on: one part of a response written from another thread, the
 * next from the connection's event loop, as a FETCH whose literal is written from a Reactor thread and whose
 * tagged OK is written from the loop.
 */
class ResponsesInCallOrderTest {
    private final NioEventLoopGroup loops = new NioEventLoopGroup(1);

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What reaches the socket end of the pipeline, in order (nothing is sent anywhere). */
    static final class Wire extends ChannelOutboundHandlerAdapter {
        final List<String> written = new CopyOnWriteArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ByteBuf bytes = (ByteBuf) msg;
            written.add(bytes.toString(StandardCharsets.US_ASCII));
            bytes.release();
            promise.setSuccess();
        }
    }

    private List<String> writeFromAnotherThreadThenFromTheLoop(boolean inCallOrder) throws Exception {
        NioSocketChannel channel = new NioSocketChannel();
        loops.register(channel).sync();
        Wire wire = new Wire();
        channel.pipeline().addLast("wire", wire);
        if (inCallOrder) {
            ResponsesInCallOrder.addAfter(channel.pipeline(), "wire", channel.eventLoop());
        }
        channel.eventLoop().submit(() -> {
            // the loop is busy here: the other thread's write is queued behind this task
            CompletableFuture.runAsync(() -> channel.writeAndFlush(ascii("* 3 FETCH (BODY[]<0> {5}\r\nhello"))).join();
            channel.writeAndFlush(ascii(")\r\nA5 OK FETCH completed.\r\n"));
        }).sync();
        channel.eventLoop().submit(() -> { }).sync(); // everything queued so far has run
        channel.eventLoop().submit(() -> { }).sync();
        channel.close().sync();
        return wire.written;
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * STARTTLS: James writes its OK on the loop and puts the TLS handler in right after, in the same task; the
     * OK must have gone out by then, in the clear.
     */
    @Test
    void aWriteFromTheLoopWithNothingQueuedBeforeItGoesOutAtOnce() throws Exception {
        NioSocketChannel channel = new NioSocketChannel();
        loops.register(channel).sync();
        Wire wire = new Wire();
        channel.pipeline().addLast("wire", wire);
        ResponsesInCallOrder.addAfter(channel.pipeline(), "wire", channel.eventLoop());
        channel.eventLoop().submit(() -> { }).sync(); // the handler is added
        List<String> seenWithinTheTask = channel.eventLoop().submit(() -> {
            channel.writeAndFlush(ascii("a1 OK Begin TLS negotiation now\r\n"));
            return List.copyOf(wire.written);
        }).get();
        channel.close().sync();
        assertThat(seenWithinTheTask).containsExactly("a1 OK Begin TLS negotiation now\r\n");
    }

    @Test
    void nettyAloneLetsTheLoopsWriteOvertakeTheOneQueuedBeforeIt() throws Exception {
        assertThat(writeFromAnotherThreadThenFromTheLoop(false))
            .containsExactly(")\r\nA5 OK FETCH completed.\r\n", "* 3 FETCH (BODY[]<0> {5}\r\nhello");
    }

    @Test
    void responsesReachTheWireInTheOrderTheyWereWritten() throws Exception {
        assertThat(writeFromAnotherThreadThenFromTheLoop(true))
            .containsExactly("* 3 FETCH (BODY[]<0> {5}\r\nhello", ")\r\nA5 OK FETCH completed.\r\n");
    }
}
