package com.diegonmarcos.mailpack.modules.jpa;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.domainlist.jpa.JPADomainList;

/**
 * James' JPA domain list, with "is this domain local?" answered from a {@link LookupCache}: the
 * mailet container asks it several times for every message (matchers, routing, signing).
 * Adding or removing a domain (webadmin, start-up) invalidates the cache.
 */
public class CachingJpaDomainList extends JPADomainList {
    private final LookupCache<Domain, Boolean> contains = new LookupCache<>();

    @Inject
    public CachingJpaDomainList(DNSService dns, EntityManagerFactory entityManagerFactory) {
        super(dns, entityManagerFactory);
    }

    @Override
    protected boolean containsDomainInternal(Domain domain) throws DomainListException {
        return contains.get(domain, super::containsDomainInternal);
    }

    @Override
    public void addDomain(Domain domain) throws DomainListException {
        contains.write(() -> super.addDomain(domain));
    }

    @Override
    public void doRemoveDomain(Domain domain) throws DomainListException {
        contains.write(() -> super.doRemoveDomain(domain));
    }
}
