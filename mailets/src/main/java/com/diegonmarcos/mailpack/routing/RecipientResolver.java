package com.diegonmarcos.mailpack.routing;

import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;

/**
 * Decides, for a recipient in a local domain, between a known address, a subaddress of one, the
 * catch-all, or "unknown". Precedence: an existing user or mapping for the exact address always
 * wins; then a subaddress whose base is known; then the domain's catch-all (the base local part is
 * what exclusions are matched against, so {@code info+x@} is excluded when {@code info} is; see
 * {@link CatchAllRule#takes}).
 *
 * <p>A local part with an {@code @} in it (only possible quoted: {@code "victim@example.org"@domain},
 * a relay probe) is always unknown: James' user names cannot contain {@code @}, so no user or alias can
 * have it, and the catch-all never takes it.
 *
 * <p>Errors of the user store or the rewrite table propagate: the caller answers with a temporary
 * failure, never a wrong "unknown user".
 */
public final class RecipientResolver {
    private final UsersRepository users;
    private final RecipientRewriteTable mappings;
    private final CatchAllRules catchAll;
    private final String separator;

    public RecipientResolver(UsersRepository users, RecipientRewriteTable mappings, CatchAllRules catchAll, String separator) {
        this.users = users;
        this.mappings = mappings;
        this.catchAll = catchAll;
        this.separator = separator;
    }

    public RecipientVerdict resolve(MailAddress recipient) throws UsersRepositoryException, RecipientRewriteTableException {
        if (!canBeUser(recipient)) {
            // e.g. "victim@example.org"@domain: valid RFC 5321, but no user, alias or catch-all target has such a name
            return RecipientVerdict.unknown(recipient);
        }
        if (isKnown(recipient)) {
            return RecipientVerdict.known(recipient);
        }
        Optional<Subaddress> subaddress = Subaddress.parse(recipient, separator);
        if (subaddress.isPresent() && canBeUser(subaddress.get().base()) && isKnown(subaddress.get().base())) {
            return RecipientVerdict.subaddress(subaddress.get().base(), subaddress.get().detail());
        }
        String baseLocalPart = subaddress.map(s -> s.base().getLocalPart()).orElse(recipient.getLocalPart());
        Optional<CatchAllRule> rule = catchAll.forDomain(recipient.getDomain());
        if (rule.isPresent() && rule.get().takes(recipient.getLocalPart(), baseLocalPart)) {
            return RecipientVerdict.caught(rule.get().target());
        }
        return RecipientVerdict.unknown(recipient);
    }

    /**
     * The mailbox a recipient's mail ends in, so that limits per recipient count per mailbox: the
     * address {@link #resolve} routes to (the base of a subaddress, the catch-all target), then, when that
     * is not a user, the one address its rewrite-table mappings (alias, forward) resolve to. Several
     * targets, none, or a failing mapping: the address itself. An unknown recipient is its own mailbox.
     */
    public MailAddress mailbox(MailAddress recipient) throws UsersRepositoryException, RecipientRewriteTableException {
        RecipientVerdict verdict = resolve(recipient);
        if (!verdict.accepted()) {
            return recipient;
        }
        MailAddress address = verdict.address();
        if (users.contains(Username.fromMailAddress(address))) {
            return address;
        }
        return singleMappedAddress(address).orElse(address);
    }

    private Optional<MailAddress> singleMappedAddress(MailAddress address) throws RecipientRewriteTableException {
        Mappings resolved;
        try {
            resolved = mappings.getResolvedMappings(address.getLocalPart(), address.getDomain());
        } catch (RecipientRewriteTable.ErrorMappingException e) {
            return Optional.empty(); // an error mapping or a loop: James refuses the mail later, count it as it came
        }
        if (resolved.size() != 1) {
            return Optional.empty();
        }
        return resolved.asStream().findFirst().flatMap(Mapping::asMailAddress);
    }

    /** Whether James can name a user so (a quoted local part may hold an '@', which {@link Username} refuses). */
    private static boolean canBeUser(MailAddress address) {
        try {
            Username.fromMailAddress(address);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean isKnown(MailAddress address) throws UsersRepositoryException, RecipientRewriteTableException {
        return users.contains(Username.fromMailAddress(address))
            || !mappings.getStoredMappings(MappingSource.fromMailAddress(address)).isEmpty();
    }
}
