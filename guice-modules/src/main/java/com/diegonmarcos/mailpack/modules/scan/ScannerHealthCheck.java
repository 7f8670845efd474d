package com.diegonmarcos.mailpack.modules.scan;

import java.util.Optional;
import java.util.function.Supplier;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import com.diegonmarcos.mailpack.modules.webadmin.SwitchedOff;
import com.diegonmarcos.mailpack.scan.FailurePolicy;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@code /healthcheck} entry for one scanner daemon. Off: healthy, and {@code /healthcheck} shows the
 * cause {@code disabled: <which setting is empty>} ({@link SwitchedOff}; James' healthy results carry no
 * cause). Answering its ping: healthy. Down with fail-open: degraded (mail flows unscanned); with
 * fail-closed: unhealthy (mail is deferred).
 */
abstract class ScannerHealthCheck implements HealthCheck, SwitchedOff {
    /** The daemon's cheapest round trip. */
    @FunctionalInterface
    interface Ping {
        void run() throws Exception;
    }

    /** How to reach a scanner that is on, and what mail does while it is down. */
    record Probe(Ping ping, FailurePolicy onFailure) {
    }

    private final ComponentName name;
    private final String offBecause;
    private final Supplier<Optional<Probe>> probe;

    /** @param offBecause what switches the scanner off, shown while it is */
    ScannerHealthCheck(String name, String offBecause, Supplier<Optional<Probe>> probe) {
        this.name = new ComponentName(name);
        this.offBecause = offBecause;
        this.probe = probe;
    }

    @Override
    public Optional<String> switchedOffBecause() {
        return probe.get().isPresent() ? Optional.empty() : Optional.of(offBecause);
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
