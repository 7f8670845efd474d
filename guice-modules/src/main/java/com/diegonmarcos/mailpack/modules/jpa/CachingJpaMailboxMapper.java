package com.diegonmarcos.mailpack.modules.jpa;

import javax.persistence.EntityManagerFactory;

import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.jpa.mail.JPAMailboxMapper;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * James' JPA mailbox mapper, with lookups by id and by path answered from a shared {@link MailboxCache}.
 * Its writes (create, rename, delete) empty the cache, and so does the end of a transaction in which it
 * wrote, so no lookup keeps what the transaction changed.
 *
 * <p>A cached answer is still delivered on Reactor's bounded-elastic scheduler, like James' lookup:
 * callers continue there and some block (answered inline on a non-blocking thread, deliveries to a
 * folder failed; RecipientRoutingIntegrationTest caught it).
 */
public class CachingJpaMailboxMapper extends JPAMailboxMapper {
    private final MailboxCache cache;
    private final BodyFiles bodyFiles;
    private boolean wrote;

    public CachingJpaMailboxMapper(EntityManagerFactory entityManagerFactory, MailboxCache cache, BodyFiles bodyFiles) {
        super(entityManagerFactory);
        this.cache = cache;
        this.bodyFiles = bodyFiles;
    }

    @Override
    public Mono<Mailbox> findMailboxById(MailboxId id) {
        return Mono.defer(() -> cache.byId(id)
            .map(mailbox -> Mono.just(mailbox).subscribeOn(Schedulers.boundedElastic()))
            .orElseGet(() -> remembered(super.findMailboxById(id))));
    }

    @Override
    public Mono<Mailbox> findMailboxByPath(MailboxPath path) {
        return Mono.defer(() -> cache.byPath(path)
            .map(mailbox -> Mono.just(mailbox).subscribeOn(Schedulers.boundedElastic()))
            .orElseGet(() -> remembered(super.findMailboxByPath(path))));
    }

    private Mono<Mailbox> remembered(Mono<Mailbox> lookup) {
        long generation = cache.generation();
        return lookup.doOnNext(mailbox -> cache.remember(mailbox, generation));
    }

    @Override
    public Mono<Mailbox> create(MailboxPath path, UidValidity uidValidity) {
        return writing(super.create(path, uidValidity));
    }

    @Override
    public Mono<MailboxId> rename(Mailbox mailbox) {
        return writing(super.rename(mailbox));
    }

    @Override
    public Mono<Void> delete(Mailbox mailbox) {
        // the messages' properties and flags first: on Derby their foreign keys no longer cascade (MessageChildRows)
        Mono<Void> childRows = Mono.fromRunnable(() -> MessageChildRows.delete(getEntityManager(), ((JPAId) mailbox.getMailboxId()).getRawId(), ""));
        return writing(childRows.subscribeOn(Schedulers.boundedElastic()).then(super.delete(mailbox)))
            .then(Mono.fromRunnable(() -> bodyFiles.deleteMailbox(mailbox.getMailboxId()))); // its messages' body files
    }

    private <T> Mono<T> writing(Mono<T> write) {
        return Mono.defer(() -> {
            wrote = true;
            cache.invalidateAll();
            return write.doFinally(signal -> cache.invalidateAll());
        });
    }

    @Override
    protected void commit() throws MailboxException {
        try {
            super.commit();
        } finally {
            afterTransaction();
        }
    }

    @Override
    protected void rollback() throws MailboxException {
        try {
            super.rollback();
        } finally {
            afterTransaction();
        }
    }

    private void afterTransaction() {
        if (wrote) {
            wrote = false;
            cache.invalidateAll();
        }
    }
}
