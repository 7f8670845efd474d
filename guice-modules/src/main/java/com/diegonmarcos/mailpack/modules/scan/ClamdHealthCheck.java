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
 * {@code /healthcheck} entry "clamd": {@code zPING}. Down with fail-closed: unhealthy (mail is
 * deferred); with fail-open: degraded (mail flows unscanned). Off: healthy.
 */
public class ClamdHealthCheck implements HealthCheck {
    static final ComponentName NAME = new ComponentName("clamd");
    private final Scanning scanning;

    @Inject
    public ClamdHealthCheck(Scanning scanning) {
        this.scanning = scanning;
    }

    @Override
    public ComponentName componentName() {
        return NAME;
    }

    @Override
    public Publisher<Result> check() {
        if (scanning.clamav().isEmpty()) {
            return Mono.just(Result.healthy(NAME));
        }
        Scanning.Clamav clamav = scanning.clamav().get();
        return Mono.fromCallable(() -> {
            clamav.client().ping();
            return Result.healthy(NAME);
        }).onErrorResume(e -> Mono.just(clamav.policy().onFailure() == FailurePolicy.OPEN
                ? Result.degraded(NAME, "clamd unreachable, mail accepted unscanned (fail-open): " + e.getMessage())
                : Result.unhealthy(NAME, "clamd unreachable, mail deferred with 451 (fail-closed): " + e.getMessage())))
            .subscribeOn(Schedulers.boundedElastic());
    }
}
