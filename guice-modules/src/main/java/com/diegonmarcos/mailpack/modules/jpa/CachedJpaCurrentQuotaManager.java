package com.diegonmarcos.mailpack.modules.jpa;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.PersistenceException;

import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.jpa.quota.model.JpaCurrentQuota;
import org.apache.james.mailbox.model.CurrentQuotas;
import org.apache.james.mailbox.model.QuotaOperation;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.CurrentQuotaManager;

import com.google.common.annotations.VisibleForTesting;

import reactor.core.publisher.Mono;

/**
 * The current quota usage (messages and bytes per quota root) in James' JPA table, with the usage
 * answered from memory and every change applied under a lock of its quota root.
 *
 * <p>Every delivery reads the usage twice (the quota check before the append, the quota event after
 * it) and changes it once. James' {@code JpaCurrentQuotaManager} reads the row each time and changes
 * it by read-then-write with nothing held: two deliveries for one user at the same moment can lose a
 * change, or fail on the row's first insert (eight threads increasing one root with James' manager
 * failed with a duplicate key; {@code CachedJpaCurrentQuotaManagerTest} counts them all).
 * Here a change reads and writes the row in one transaction while holding the root's lock, and
 * remembers the result; reads use it. A value is re-read after {@link LookupCache#DEFAULT_TTL}, so a
 * change made behind mailpack's back (SQL) is seen within that time. One mailpack process owns the
 * database (the distributed James server keeps quotas in its own store).
 */
public class CachedJpaCurrentQuotaManager implements CurrentQuotaManager {
    private final EntityManagerFactory entityManagerFactory;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
    private final LookupCache<String, CurrentQuotas> known;

    @Inject
    public CachedJpaCurrentQuotaManager(EntityManagerFactory entityManagerFactory) {
        this(entityManagerFactory, LookupCache.DEFAULT_TTL, System::nanoTime);
    }

    @VisibleForTesting
    CachedJpaCurrentQuotaManager(EntityManagerFactory entityManagerFactory, Duration ttl, LongSupplier nanoTime) {
        this.entityManagerFactory = entityManagerFactory;
        this.known = new LookupCache<>(ttl, LookupCache.DEFAULT_MAX_ENTRIES, nanoTime);
    }

    @Override
    public Mono<QuotaCountUsage> getCurrentMessageCount(QuotaRoot quotaRoot) {
        return getCurrentQuotas(quotaRoot).map(CurrentQuotas::count);
    }

    @Override
    public Mono<QuotaSizeUsage> getCurrentStorage(QuotaRoot quotaRoot) {
        return getCurrentQuotas(quotaRoot).map(CurrentQuotas::size);
    }

    @Override
    public Mono<CurrentQuotas> getCurrentQuotas(QuotaRoot quotaRoot) {
        return Mono.fromCallable(() -> current(quotaRoot.getValue()));
    }

    @Override
    public Mono<Void> increase(QuotaOperation operation) {
        return Mono.fromRunnable(() -> change(operation.quotaRoot().getValue(), operation.count().asLong(), operation.size().asLong(), false));
    }

    @Override
    public Mono<Void> decrease(QuotaOperation operation) {
        return Mono.fromRunnable(() -> change(operation.quotaRoot().getValue(), -operation.count().asLong(), -operation.size().asLong(), false));
    }

    @Override
    public Mono<Void> setCurrentQuotas(QuotaOperation operation) {
        return Mono.fromRunnable(() -> change(operation.quotaRoot().getValue(), operation.count().asLong(), operation.size().asLong(), true));
    }

    private Object lockOf(String root) {
        return locks.computeIfAbsent(root, any -> new Object());
    }

    private CurrentQuotas current(String root) {
        return known.get(root, this::read);
    }

    private CurrentQuotas read(String root) {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            return toQuotas(entityManager.find(JpaCurrentQuota.class, root));
        } finally {
            entityManager.close();
        }
    }

    /** Adds (or, with {@code replace}, sets) the usage of one root in one transaction, under its lock. */
    private void change(String root, long count, long size, boolean replace) {
        synchronized (lockOf(root)) {
            EntityManager entityManager = entityManagerFactory.createEntityManager();
            try {
                entityManager.getTransaction().begin();
                CurrentQuotas before = toQuotas(entityManager.find(JpaCurrentQuota.class, root));
                long newCount = replace ? count : before.count().asLong() + count;
                long newSize = replace ? size : before.size().asLong() + size;
                entityManager.merge(new JpaCurrentQuota(root, newCount, newSize));
                entityManager.getTransaction().commit();
                known.invalidateAll(); // a read that started before the commit cannot store what it saw
                known.remember(root, new CurrentQuotas(QuotaCountUsage.count(newCount), QuotaSizeUsage.size(newSize)), known.generation());
            } catch (PersistenceException e) {
                known.invalidateAll();
                if (entityManager.getTransaction().isActive()) {
                    entityManager.getTransaction().rollback();
                }
                throw e;
            } finally {
                entityManager.close();
            }
        }
    }

    private static CurrentQuotas toQuotas(JpaCurrentQuota row) {
        return row == null ? CurrentQuotas.emptyQuotas() : new CurrentQuotas(row.getMessageCount(), row.getSize());
    }
}
