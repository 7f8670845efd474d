package com.diegonmarcos.mailpack.modules.jpa;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.user.jpa.JPAUsersRepository;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * James' JPA users repository, with "does this user exist?" (asked at RCPT, by the routing, by local
 * delivery) answered from a {@link LookupCache}. Adding or removing a user invalidates it; password
 * checks ({@code test}) always go to the database.
 */
public class CachingJpaUsersRepository extends JPAUsersRepository {
    private final LookupCache<Username, Boolean> exists = new LookupCache<>();

    @Inject
    public CachingJpaUsersRepository(DomainList domainList) {
        super(domainList);
    }

    @Override
    public boolean contains(Username name) throws UsersRepositoryException {
        return exists.get(name, super::contains);
    }

    @Override
    public Publisher<Boolean> containsReactive(Username name) {
        return Mono.fromCallable(() -> contains(name)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public void addUser(Username username, String password) throws UsersRepositoryException {
        exists.write(() -> super.addUser(username, password));
    }

    @Override
    public void removeUser(Username name) throws UsersRepositoryException {
        exists.write(() -> super.removeUser(name));
    }
}
