package com.diegonmarcos.mailpack.modules.storage;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import com.diegonmarcos.mailpack.storage.FreeSpace;

import reactor.core.publisher.Mono;

/**
 * Degraded while the disk is under its free-space minimum: new mail is refused (SMTP 452, IMAP NO),
 * reading works, and the server takes mail again by itself once space is freed. Not unhealthy: a
 * restart would not free any space.
 */
public final class FreeSpaceHealthCheck implements HealthCheck {
    static final ComponentName NAME = new ComponentName("disk-space");

    private final FreeSpace space;

    @Inject
    FreeSpaceHealthCheck(FreeSpace space) {
        this.space = space;
    }

    @Override
    public ComponentName componentName() {
        return NAME;
    }

    @Override
    public Publisher<Result> check() {
        if (space.isLow()) {
            return Mono.just(Result.degraded(NAME, "new mail refused: " + space.describe() + "; free space to resume"));
        }
        return Mono.just(Result.healthy(NAME));
    }
}
