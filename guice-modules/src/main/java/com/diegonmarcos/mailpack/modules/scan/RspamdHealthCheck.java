package com.diegonmarcos.mailpack.modules.scan;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import com.diegonmarcos.mailpack.scan.FailurePolicy;
import com.diegonmarcos.mailpack.scan.Scanning;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code /healthcheck} entry "rspamd": {@code /ping} on the worker. Down with fail-open: degraded
 * (mail flows unscanned); with fail-closed: unhealthy (mail is deferred). Off: healthy.
 */
public class RspamdHealthCheck implements HealthCheck {
    static final ComponentName NAME = new ComponentName("rspamd");
    private final Scanning scanning;

    @Inject
    public RspamdHealthCheck(Scanning scanning) {
        this.scanning = scanning;
    }

    @Override
    public ComponentName componentName() {
        return NAME;
    }

    @Override
    public Publisher<Result> check() {
        if (scanning.rspamd().isEmpty()) {
            return Mono.just(Result.healthy(NAME));
        }
        Scanning.Rspamd rspamd = scanning.rspamd().get();
        return Mono.fromCallable(() -> {
            rspamd.client().ping();
            return Result.healthy(NAME);
        }).onErrorResume(e -> Mono.just(rspamd.policy().onFailure() == FailurePolicy.OPEN
                ? Result.degraded(NAME, "rspamd unreachable, mail accepted unscanned (fail-open): " + e.getMessage())
                : Result.unhealthy(NAME, "rspamd unreachable, mail deferred with 451 (fail-closed): " + e.getMessage())))
            .subscribeOn(Schedulers.boundedElastic());
    }
}
