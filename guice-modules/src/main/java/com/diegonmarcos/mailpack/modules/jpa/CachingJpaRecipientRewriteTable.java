package com.diegonmarcos.mailpack.modules.jpa;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;

/**
 * James' JPA rewrite table (aliases, forwards, domain mappings), with the per-address lookups of mail
 * processing answered from a {@link LookupCache}. Every change of a mapping goes through
 * {@link #addMapping} or {@link #removeMapping} (webadmin, the shipped aliases), which invalidate it.
 * Listings for administration ({@code getStoredMappings}, {@code getAllMappings}) are not cached.
 */
public class CachingJpaRecipientRewriteTable extends JPARecipientRewriteTable {
    private record Address(String user, Domain domain) {
    }

    private final LookupCache<Address, Mappings> mappings = new LookupCache<>();

    @Inject
    public CachingJpaRecipientRewriteTable(EntityManagerFactory entityManagerFactory) {
        setEntityManagerFactory(entityManagerFactory);
    }

    @Override
    protected Mappings mapAddress(String user, Domain domain) throws RecipientRewriteTableException {
        return mappings.get(new Address(user, domain), address -> super.mapAddress(address.user(), address.domain()));
    }

    @Override
    public void addMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        mappings.write(() -> super.addMapping(source, mapping));
    }

    @Override
    public void removeMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        mappings.write(() -> super.removeMapping(source, mapping));
    }
}
