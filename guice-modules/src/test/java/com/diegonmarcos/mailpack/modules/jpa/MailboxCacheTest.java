package com.diegonmarcos.mailpack.modules.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.core.Username;
import org.apache.james.mailbox.jpa.JPAId;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.junit.jupiter.api.Test;

class MailboxCacheTest {
    private static final MailboxPath INBOX = MailboxPath.inbox(Username.of("diego@diegonmarcos.com"));
    private static final Mailbox MAILBOX = new Mailbox(INBOX, UidValidity.of(42), JPAId.of(7));

    private final AtomicLong clock = new AtomicLong();
    private final MailboxCache cache = new MailboxCache(Duration.ofSeconds(30), clock::get);

    @Test
    void aRememberedMailboxIsFoundByIdAndByPath() {
        cache.remember(MAILBOX, cache.generation());

        assertThat(cache.byId(JPAId.of(7))).hasValueSatisfying(found -> assertThat(found.generateAssociatedPath()).isEqualTo(INBOX));
        assertThat(cache.byPath(INBOX)).hasValueSatisfying(found -> assertThat(found.getUidValidity()).isEqualTo(UidValidity.of(42)));
    }

    @Test
    void aLookupThatStartedBeforeAnInvalidationIsNotRemembered() {
        long generation = cache.generation();
        cache.invalidateAll(); // a rename committed while the lookup ran
        cache.remember(MAILBOX, generation);

        assertThat(cache.byId(JPAId.of(7))).isEmpty();
    }

    @Test
    void invalidationForgetsEverything() {
        cache.remember(MAILBOX, cache.generation());
        cache.invalidateAll();

        assertThat(cache.byId(JPAId.of(7))).isEmpty();
        assertThat(cache.byPath(INBOX)).isEmpty();
    }

    @Test
    void entriesExpire() {
        cache.remember(MAILBOX, cache.generation());
        clock.addAndGet(Duration.ofSeconds(30).toNanos());

        assertThat(cache.byId(JPAId.of(7))).isEmpty();
    }

    @Test
    void callersGetCopiesTheyMayChange() throws Exception {
        cache.remember(MAILBOX, cache.generation());
        cache.byId(JPAId.of(7)).orElseThrow().setACL(MailboxACL.EMPTY.union(MailboxACL.EntryKey.createUserEntryKey(Username.of("bob")), MailboxACL.FULL_RIGHTS));

        assertThat(cache.byId(JPAId.of(7)).orElseThrow().getACL()).isEqualTo(MAILBOX.getACL());
    }
}
