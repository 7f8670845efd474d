package com.diegonmarcos.mailpack.modules.jpa;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZonedDateTime;
import java.util.Optional;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.sieve.jpa.JPASieveRepository;
import org.apache.james.sieverepository.api.ScriptContent;
import org.apache.james.sieverepository.api.ScriptName;
import org.apache.james.sieverepository.api.exception.DuplicateException;
import org.apache.james.sieverepository.api.exception.IsActiveException;
import org.apache.james.sieverepository.api.exception.QuotaExceededException;
import org.apache.james.sieverepository.api.exception.ScriptNotFoundException;
import org.apache.james.sieverepository.api.exception.StorageException;

/**
 * James' JPA Sieve repository, with each user's active script (looked up for every delivered
 * message, and usually absent) answered from a {@link LookupCache}. Every change of a script or of
 * the active one invalidates it.
 */
public class CachingJpaSieveRepository extends JPASieveRepository {
    private record ActiveScript(ZonedDateTime activation, byte[] content) {
    }

    private final LookupCache<Username, Optional<ActiveScript>> active = new LookupCache<>();

    @Inject
    public CachingJpaSieveRepository(EntityManagerFactory entityManagerFactory) {
        super(entityManagerFactory);
    }

    @Override
    public ZonedDateTime getActivationDateForActiveScript(Username username) throws StorageException, ScriptNotFoundException {
        return activeScript(username).activation();
    }

    @Override
    public InputStream getActive(Username username) throws ScriptNotFoundException, StorageException {
        return new ByteArrayInputStream(activeScript(username).content());
    }

    private ActiveScript activeScript(Username username) throws StorageException, ScriptNotFoundException {
        return active.get(username, this::loadActive)
            .orElseThrow(() -> new ScriptNotFoundException("no active Sieve script for " + username.asString()));
    }

    private Optional<ActiveScript> loadActive(Username username) throws StorageException {
        try (InputStream script = super.getActive(username)) {
            return Optional.of(new ActiveScript(super.getActivationDateForActiveScript(username), script.readAllBytes()));
        } catch (ScriptNotFoundException none) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read the active Sieve script of " + username.asString(), e);
        }
    }

    @Override
    public void putScript(Username username, ScriptName name, ScriptContent content) throws StorageException, QuotaExceededException {
        try {
            super.putScript(username, name, content);
        } finally {
            active.invalidateAll();
        }
    }

    @Override
    public void setActive(Username username, ScriptName name) throws ScriptNotFoundException, StorageException {
        try {
            super.setActive(username, name);
        } finally {
            active.invalidateAll();
        }
    }

    @Override
    public void deleteScript(Username username, ScriptName name) throws ScriptNotFoundException, IsActiveException, StorageException {
        try {
            super.deleteScript(username, name);
        } finally {
            active.invalidateAll();
        }
    }

    @Override
    public void renameScript(Username username, ScriptName oldName, ScriptName newName) throws ScriptNotFoundException, DuplicateException, StorageException {
        try {
            super.renameScript(username, oldName, newName);
        } finally {
            active.invalidateAll();
        }
    }
}
