package com.diegonmarcos.mailpack.modules.spool;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Degraded while the poison repository holds mail: mail was accepted and could not be processed, an
 * admin has to look at it (the server itself works, so not unhealthy: a container orchestrator that
 * restarts unhealthy containers must not restart it for this).
 */
public final class PoisonMailHealthCheck implements HealthCheck {
    static final ComponentName NAME = new ComponentName("poison-mail");

    private final MailRepositoryStore repositories;
    private final PoisonSettings settings;

    @Inject
    PoisonMailHealthCheck(MailRepositoryStore repositories, PoisonSettings settings) {
        this.repositories = repositories;
        this.settings = settings;
    }

    @Override
    public ComponentName componentName() {
        return NAME;
    }

    @Override
    public Publisher<Result> check() {
        return Mono.fromCallable(() -> {
            long size = repositories.select(settings.repository()).size();
            if (size == 0) {
                return Result.healthy(NAME);
            }
            return Result.degraded(NAME, size + " mail(s) failed processing " + settings.maxAttempts() + " times and wait in "
                + settings.repository().asString() + ": inspect, reprocess or delete them with webadmin /mailRepositories/"
                + URLEncoder.encode(settings.repository().getPath().asString(), StandardCharsets.UTF_8) + "/mails");
        }).onErrorResume(e -> Mono.just(Result.unhealthy(NAME, "cannot read " + settings.repository().asString() + ": " + e)))
            .subscribeOn(Schedulers.boundedElastic());
    }
}
