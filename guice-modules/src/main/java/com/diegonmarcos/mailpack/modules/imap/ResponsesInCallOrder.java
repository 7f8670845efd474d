package com.diegonmarcos.mailpack.modules.imap;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.AbstractEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.OrderedEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Puts an IMAP connection's responses on the wire in the order they were written.
 *
 * <p>James writes a command's responses ({@code channel.writeAndFlush}) from whichever thread its processing
 * is on. Netty performs a write at once when the caller is the connection's event loop and queues it as a
 * task on that loop when it is any other thread. A command whose literal was written from a Reactor thread
 * (queued) and whose last line was then written from the event loop (at once) sent
 * {@code )\r\nA5 OK FETCH completed} <em>before</em> {@code * 3 FETCH (BODY[]<16384> {16384}}: the client took
 * the FETCH for answered without its body, and the reply to its next command came in the middle of the
 * literal it was still reading, so it waited for the rest for ever (a JavaMail reader hung 1 time in 8; the
 * same reordering put a stray {@code )} before a 49 MB FETCH).
 *
 * <p>This handler sits above the chunked-write handler, on an executor that runs its tasks on the
 * connection's own event loop and counts how many it has queued there. A write, flush or close reaching the
 * handler from another thread is queued (as Netty does); one from the loop itself is done at once only when
 * nothing is queued before it, and queued behind the rest otherwise. So responses reach the socket in the
 * order of the calls, and a response James writes on the loop right before changing the pipeline (the
 * {@code OK} of STARTTLS before the TLS handler goes in, of COMPRESS before the deflater) still goes out
 * first, in the clear. Writes from below it (the TLS and chunked-write handlers) are unaffected.
 */
final class ResponsesInCallOrder extends ChannelOutboundHandlerAdapter {
    static final String NAME = "mailpackResponsesInCallOrder";

    /** Adds the handler above {@code baseName} (the chunked-write handler) of a new connection's pipeline. */
    static void addAfter(ChannelPipeline pipeline, String baseName, EventLoop loop) {
        pipeline.addAfter(new QueuedOnLoop(loop), baseName, NAME, new ResponsesInCallOrder());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise); // after the responses written before it
    }

    /**
     * Runs every task on {@code loop}; counts as "in the event loop" (so Netty runs a write at once) only on
     * the loop's thread while none of its own tasks is still waiting there.
     */
    static final class QueuedOnLoop extends AbstractEventExecutor implements OrderedEventExecutor {
        private final EventLoop loop;
        private final AtomicInteger queued = new AtomicInteger();

        QueuedOnLoop(EventLoop loop) {
            super(null);
            this.loop = loop;
        }

        @Override
        public boolean inEventLoop(Thread thread) {
            return loop.inEventLoop(thread) && queued.get() == 0;
        }

        @Override
        public boolean inEventLoop() {
            return inEventLoop(Thread.currentThread());
        }

        @Override
        public void execute(Runnable task) {
            queued.incrementAndGet();
            try {
                loop.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        queued.decrementAndGet();
                    }
                });
            } catch (RuntimeException rejected) {
                queued.decrementAndGet(); // the loop is shutting down
                throw rejected;
            }
        }

        @Override
        public EventExecutor next() {
            return this;
        }

        @Override
        public Iterator<EventExecutor> iterator() {
            return Collections.<EventExecutor>singletonList(this).iterator();
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return loop.schedule(command, delay, unit);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return loop.schedule(callable, delay, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return loop.scheduleAtFixedRate(command, initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            return loop.scheduleWithFixedDelay(command, initialDelay, delay, unit);
        }

        // The loop belongs to the server: this view of it never shuts it down.
        @Override
        public boolean isShuttingDown() {
            return loop.isShuttingDown();
        }

        @Override
        public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
            return loop.terminationFuture();
        }

        @Override
        public Future<?> terminationFuture() {
            return loop.terminationFuture();
        }

        @Override
        @Deprecated
        public void shutdown() {
            // see above
        }

        @Override
        public List<Runnable> shutdownNow() {
            return Collections.emptyList();
        }

        @Override
        public boolean isShutdown() {
            return loop.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return loop.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return loop.awaitTermination(timeout, unit);
        }
    }
}
