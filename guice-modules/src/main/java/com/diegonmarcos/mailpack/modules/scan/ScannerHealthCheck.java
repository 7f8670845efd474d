package com.diegonmarcos.mailpack.modules.scan;

import java.util.Optional;
import java.util.function.Supplier;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import com.diegonmarcos.mailpack.scan.FailurePolicy;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@code /healthcheck} entry for one scanner daemon. Off: healthy. Answering its ping: healthy.
 * Down with fail-open: degraded (mail flows unscanned); with fail-closed: unhealthy (mail is deferred).
 */
abstract class ScannerHealthCheck implements HealthCheck {
    /** The daemon's cheapest round trip. */
    @FunctionalInterface
    interface Ping {
        void run() throws Exception;
    }

    /** How to reach a scanner that is on, and what mail does while it is down. */
    record Probe(Ping ping, FailurePolicy onFailure) {
    }

    private final ComponentName name;
    private final Supplier<Optional<Probe>> probe;

    ScannerHealthCheck(String name, Supplier<Optional<Probe>> probe) {
        this.name = new ComponentName(name);
        this.probe = probe;
    }

    @Override
    public ComponentName componentName() {
        return name;
    }

    @Override
    public Publisher<Result> check() {
        Optional<Probe> scanner = probe.get();
        if (scanner.isEmpty()) {
            return Mono.just(Result.healthy(name));
        }
        return Mono.fromCallable(() -> {
            scanner.get().ping().run();
            return Result.healthy(name);
        }).onErrorResume(e -> Mono.just(scanner.get().onFailure() == FailurePolicy.OPEN
                ? Result.degraded(name, name.getName() + " unreachable, mail accepted unscanned (fail-open): " + e.getMessage())
                : Result.unhealthy(name, name.getName() + " unreachable, mail deferred with 451 (fail-closed): " + e.getMessage())))
            .subscribeOn(Schedulers.boundedElastic());
    }
}
