package com.diegonmarcos.mailpack.modules.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.jpa.quota.JpaCurrentQuotaManager;
import org.apache.james.mailbox.model.CurrentQuotas;
import org.apache.james.mailbox.model.QuotaOperation;
import org.apache.james.mailbox.model.QuotaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;

/** Current quota usage on an in-memory Derby database, checked against what James' manager reads from it. */
class CachedJpaCurrentQuotaManagerTest {
    private static final QuotaRoot DIEGO = QuotaRoot.quotaRoot("#private&diego@diegonmarcos.com", Optional.of(Domain.of("diegonmarcos.com")));
    private static final Duration TTL = Duration.ofSeconds(30);

    private EntityManagerFactory entityManagerFactory;
    private final AtomicLong clock = new AtomicLong();
    private CachedJpaCurrentQuotaManager quotas;
    private JpaCurrentQuotaManager database; // James' manager: reads the row every time

    @BeforeEach
    void setUp() {
        entityManagerFactory = InMemoryDerby.entityManagerFactory("current-quota");
        quotas = new CachedJpaCurrentQuotaManager(entityManagerFactory, TTL, clock::get);
        database = new JpaCurrentQuotaManager(entityManagerFactory);
    }

    @AfterEach
    void tearDown() {
        entityManagerFactory.close();
    }

    private static QuotaOperation operation(long count, long size) {
        return new QuotaOperation(DIEGO, QuotaCountUsage.count(count), QuotaSizeUsage.size(size));
    }

    private static CurrentQuotas usage(long count, long size) {
        return new CurrentQuotas(QuotaCountUsage.count(count), QuotaSizeUsage.size(size));
    }

    @Test
    void changesAreStoredAndReadBack() {
        assertThat(quotas.getCurrentQuotas(DIEGO).block()).isEqualTo(CurrentQuotas.emptyQuotas());

        quotas.increase(operation(3, 3_000)).block();
        quotas.decrease(operation(1, 1_000)).block();
        assertThat(quotas.getCurrentQuotas(DIEGO).block()).isEqualTo(usage(2, 2_000));
        assertThat(quotas.getCurrentMessageCount(DIEGO).block()).isEqualTo(QuotaCountUsage.count(2));
        assertThat(quotas.getCurrentStorage(DIEGO).block()).isEqualTo(QuotaSizeUsage.size(2_000));
        assertThat(Mono.from(database.getCurrentQuotas(DIEGO)).block()).isEqualTo(usage(2, 2_000));

        quotas.setCurrentQuotas(operation(10, 50_000)).block(); // what a quota recomputation writes
        assertThat(quotas.getCurrentQuotas(DIEGO).block()).isEqualTo(usage(10, 50_000));
        assertThat(Mono.from(database.getCurrentQuotas(DIEGO)).block()).isEqualTo(usage(10, 50_000));
    }

    @Test
    void concurrentChangesOfOneRootAreAllCounted() throws Exception {
        int threads = 8;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        quotas.increase(operation(1, 100)).block();
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        long total = (long) threads * perThread;
        assertThat(quotas.getCurrentQuotas(DIEGO).block()).isEqualTo(usage(total, total * 100));
        assertThat(Mono.from(database.getCurrentQuotas(DIEGO)).block()).isEqualTo(usage(total, total * 100));
    }

    @Test
    void aChangeMadeBehindItsBackIsSeenOnceTheRememberedValueExpires() {
        quotas.increase(operation(1, 100)).block();
        Mono.from(database.increase(operation(5, 500))).block(); // as SQL on the database would

        assertThat(quotas.getCurrentQuotas(DIEGO).block()).isEqualTo(usage(1, 100));
        clock.addAndGet(TTL.toNanos());
        assertThat(quotas.getCurrentQuotas(DIEGO).block()).isEqualTo(usage(6, 600));
    }
}
