package com.diegonmarcos.mailpack.users;

import java.util.Iterator;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.user.api.model.User;
import org.reactivestreams.Publisher;

/**
 * The users repository with the {@link PasswordPolicy} applied wherever a password is set: creating
 * a user, and {@link User#setPassword} on a user read from here (how webadmin and the CLI change
 * passwords). Bound as James' {@link UsersRepository}, so every entry point obeys it. Logging in
 * ({@link #test}) never applies the policy: a user whose password predates a rule is not locked out.
 */
public final class PolicyEnforcingUsersRepository implements UsersRepository {
    private final UsersRepository delegate;
    private final PasswordPolicy policy;

    public PolicyEnforcingUsersRepository(UsersRepository delegate, PasswordPolicy policy) {
        this.delegate = delegate;
        this.policy = policy;
    }

    @Override
    public void addUser(Username username, String password) throws UsersRepositoryException {
        policy.check(username.asString(), password);
        delegate.addUser(username, password);
    }

    @Override
    public User getUserByName(Username name) throws UsersRepositoryException {
        User user = delegate.getUserByName(name);
        return user == null ? null : new CheckedUser(user, policy);
    }

    @Override
    public void updateUser(User user) throws UsersRepositoryException {
        delegate.updateUser(user instanceof CheckedUser ? ((CheckedUser) user).delegate : user);
    }

    @Override
    public void removeUser(Username name) throws UsersRepositoryException {
        delegate.removeUser(name);
    }

    @Override
    public boolean contains(Username name) throws UsersRepositoryException {
        return delegate.contains(name);
    }

    @Override
    public Publisher<Boolean> containsReactive(Username name) {
        return delegate.containsReactive(name);
    }

    @Override
    public boolean test(Username name, String password) throws UsersRepositoryException {
        return delegate.test(name, password);
    }

    @Override
    public int countUsers() throws UsersRepositoryException {
        return delegate.countUsers();
    }

    @Override
    public Iterator<Username> list() throws UsersRepositoryException {
        return delegate.list();
    }

    @Override
    public Publisher<Username> listReactive() {
        return delegate.listReactive();
    }

    @Override
    public boolean supportVirtualHosting() throws UsersRepositoryException {
        return delegate.supportVirtualHosting();
    }

    @Override
    public Username getUsername(MailAddress mailAddress) throws UsersRepositoryException {
        return delegate.getUsername(mailAddress);
    }

    @Override
    public MailAddress getMailAddressFor(Username username) throws UsersRepositoryException {
        return delegate.getMailAddressFor(username);
    }

    @Override
    public boolean isAdministrator(Username username) throws UsersRepositoryException {
        return delegate.isAdministrator(username);
    }

    @Override
    public boolean isReadOnly() {
        return delegate.isReadOnly();
    }

    @Override
    public void assertValid(Username username) throws UsersRepositoryException {
        delegate.assertValid(username);
    }

    private static final class CheckedUser implements User {
        private final User delegate;
        private final PasswordPolicy policy;

        CheckedUser(User delegate, PasswordPolicy policy) {
            this.delegate = delegate;
            this.policy = policy;
        }

        @Override
        public Username getUserName() {
            return delegate.getUserName();
        }

        @Override
        public boolean verifyPassword(String password) {
            return delegate.verifyPassword(password);
        }

        @Override
        public boolean setPassword(String password) {
            policy.check(delegate.getUserName().asString(), password);
            return delegate.setPassword(password);
        }
    }
}
