package com.diegonmarcos.mailpack.routing;

import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;

/**
 * Decides, for a recipient in a local domain, between a known address, a subaddress of one, the
 * catch-all, or "unknown". Precedence: an existing user or mapping for the exact address always
 * wins; then a subaddress whose base is known; then the domain's catch-all (the base local part is
 * what exclusions are matched against, so {@code info+x@} is excluded when {@code info} is).
 *
 * <p>Errors of the user store or the rewrite table propagate: the caller answers with a temporary
 * failure, never a wrong "unknown user".
 */
public final class RecipientResolver {
    static final int MAX_LOCAL_PART_OCTETS = 64;

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
        String localPart = subaddress.map(s -> s.base().getLocalPart()).orElse(recipient.getLocalPart());
        Optional<CatchAllRule> rule = catchAll.forDomain(recipient.getDomain());
        if (rule.isPresent() && !rule.get().excludes(localPart) && fitsRfc5321(recipient.getLocalPart())) {
            return RecipientVerdict.caught(rule.get().target());
        }
        return RecipientVerdict.unknown(recipient);
    }

    /**
     * RFC 5321 §4.5.3.1.1: a local part has at most 64 octets. No real mailbox has a longer one, so the
     * catch-all does not take it (spam tools generate such addresses); it is refused as unknown.
     */
    private static boolean fitsRfc5321(String localPart) {
        return localPart.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_LOCAL_PART_OCTETS;
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
