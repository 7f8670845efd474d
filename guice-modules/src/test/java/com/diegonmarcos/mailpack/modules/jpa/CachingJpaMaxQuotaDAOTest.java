package com.diegonmarcos.mailpack.modules.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaDAO;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaManager;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Quota limits read through James' JPA quota manager, on an in-memory Derby database. */
class CachingJpaMaxQuotaDAOTest {
    private static final Domain DOMAIN = Domain.of("diegonmarcos.com");
    private static final QuotaRoot DIEGO = QuotaRoot.quotaRoot("#private&diego@diegonmarcos.com", Optional.of(DOMAIN));

    private EntityManagerFactory entityManagerFactory;
    private JPAPerUserMaxQuotaManager quotas;

    @BeforeEach
    void setUp() {
        entityManagerFactory = InMemoryDerby.entityManagerFactory("quota");
        quotas = new JPAPerUserMaxQuotaManager(entityManagerFactory, new CachingJpaMaxQuotaDAO(entityManagerFactory));
    }

    @AfterEach
    void tearDown() {
        entityManagerFactory.close();
    }

    @Test
    void everyChangeOfALimitIsReadBackAtOnce() throws Exception {
        assertThat(quotas.getMaxMessage(DIEGO)).isEmpty(); // now cached: "no limit"
        assertThat(quotas.getMaxStorage(DIEGO)).isEmpty();

        quotas.setGlobalMaxMessage(QuotaCountLimit.count(1000));
        assertThat(quotas.getMaxMessage(DIEGO)).contains(QuotaCountLimit.count(1000));

        quotas.setDomainMaxMessage(DOMAIN, QuotaCountLimit.count(500));
        assertThat(quotas.getMaxMessage(DIEGO)).contains(QuotaCountLimit.count(500));

        quotas.setMaxMessage(DIEGO, QuotaCountLimit.count(5));
        assertThat(quotas.listMaxMessagesDetails(DIEGO)).containsOnly(
            Map.entry(Quota.Scope.User, QuotaCountLimit.count(5)),
            Map.entry(Quota.Scope.Domain, QuotaCountLimit.count(500)),
            Map.entry(Quota.Scope.Global, QuotaCountLimit.count(1000)));

        quotas.removeMaxMessage(DIEGO);
        assertThat(quotas.getMaxMessage(DIEGO)).contains(QuotaCountLimit.count(500));
        quotas.removeDomainMaxMessage(DOMAIN);
        quotas.removeGlobalMaxMessage();
        assertThat(quotas.getMaxMessage(DIEGO)).isEmpty();

        quotas.setMaxStorage(DIEGO, QuotaSizeLimit.size(50_000_000));
        assertThat(quotas.getMaxStorage(DIEGO)).contains(QuotaSizeLimit.size(50_000_000));
        quotas.setDomainMaxStorage(DOMAIN, QuotaSizeLimit.size(1_000));
        quotas.setGlobalMaxStorage(QuotaSizeLimit.unlimited());
        assertThat(quotas.listMaxStorageDetails(DIEGO)).containsOnly(
            Map.entry(Quota.Scope.User, QuotaSizeLimit.size(50_000_000)),
            Map.entry(Quota.Scope.Domain, QuotaSizeLimit.size(1_000)),
            Map.entry(Quota.Scope.Global, QuotaSizeLimit.unlimited()));
        quotas.removeMaxStorage(DIEGO);
        quotas.removeDomainMaxStorage(DOMAIN);
        quotas.removeGlobalMaxStorage();
        assertThat(quotas.getMaxStorage(DIEGO)).isEmpty();
    }

    @Test
    void limitsAreReadFromTheCacheUntilAChangeGoesThroughIt() throws Exception {
        quotas.setMaxMessage(DIEGO, QuotaCountLimit.count(5));
        assertThat(quotas.getMaxMessage(DIEGO)).contains(QuotaCountLimit.count(5));

        // a write behind the cache's back (as SQL on the database would be) is not seen...
        new JPAPerUserMaxQuotaDAO(entityManagerFactory).setMaxMessage(DIEGO, Optional.of(QuotaCountLimit.count(7)));
        assertThat(quotas.getMaxMessage(DIEGO)).contains(QuotaCountLimit.count(5));

        // ...until any change goes through mailpack, which forgets every cached limit
        quotas.setGlobalMaxStorage(QuotaSizeLimit.size(1));
        assertThat(quotas.getMaxMessage(DIEGO)).contains(QuotaCountLimit.count(7));
    }
}
