package com.diegonmarcos.mailpack.modules.spool;

import org.apache.james.IsStartedProbe;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Opens when the whole server has started: James' {@link IsStartedProbe}, told by
 * {@code GuiceJamesServer.start()} once every initialisation operation has run.
 *
 * <p>The mail queues hand out nothing before that. James configures the mailet container and starts
 * its spooler as one initialisation operation, before others it does not know it depends on: in
 * particular the operations of classes bound to a subclass (the recipient rewrite table, users and
 * domains behind their caches) run last. A mail left in the queue by a crash was dequeued at once on
 * the next start and failed with "RecipientRewriteTable is not configured" (seen in
 * PersistenceIntegrationTest). Waiting for the end of the start covers every such dependency, present
 * and future.
 */
public final class StartGate extends IsStartedProbe {
    private final Sinks.Empty<Void> started = Sinks.empty();

    @Override
    public void notifyStarted() {
        super.notifyStarted();
        started.tryEmitEmpty();
    }

    /** Completes once the server has started (at once if it has). */
    public Mono<Void> started() {
        return started.asMono();
    }
}
