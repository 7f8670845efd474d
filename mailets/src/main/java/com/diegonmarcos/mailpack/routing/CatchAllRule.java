package com.diegonmarcos.mailpack.routing;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import org.apache.james.core.MailAddress;

import com.google.common.collect.ImmutableSet;

/**
 * One domain's catch-all: where unknown local parts go, which ones must bounce instead, and whether
 * source-route forms ({@code a%b@}, {@code b!a@}, see {@link SourceRouteForms}) are taken.
 */
public final class CatchAllRule {
    /** RFC 5321 §4.5.3.1.1 */
    static final int MAX_LOCAL_PART_OCTETS = 64;

    private final MailAddress target;
    private final Set<String> excluded;
    private final SourceRouteForms sourceRouteForms;

    public CatchAllRule(MailAddress target, Set<String> excludedLocalParts) {
        this(target, excludedLocalParts, SourceRouteForms.REFUSE);
    }

    public CatchAllRule(MailAddress target, Set<String> excludedLocalParts, SourceRouteForms sourceRouteForms) {
        this.target = Objects.requireNonNull(target, "target");
        this.excluded = excludedLocalParts.stream()
            .map(local -> local.toLowerCase(Locale.ROOT))
            .collect(ImmutableSet.toImmutableSet());
        this.sourceRouteForms = Objects.requireNonNull(sourceRouteForms, "sourceRouteForms");
    }

    public MailAddress target() {
        return target;
    }

    public Set<String> excluded() {
        return excluded;
    }

    public SourceRouteForms sourceRouteForms() {
        return sourceRouteForms;
    }

    /** Local parts are compared case-insensitively, as nearly every mail system does in practice. */
    public boolean excludes(String localPart) {
        return excluded.contains(localPart.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether this catch-all takes an unknown local part: not excluded (by its base, so {@code info+x@}
     * is excluded with {@code info}), at most 64 octets (no real mailbox has a longer one; spam tools
     * generate such addresses) and not a source-route form unless those are accepted.
     *
     * @param localPart the whole local part of the recipient
     * @param baseLocalPart the local part without its subaddress detail (the same when it has none)
     */
    public boolean takes(String localPart, String baseLocalPart) {
        return !excludes(baseLocalPart)
            && localPart.getBytes(StandardCharsets.UTF_8).length <= MAX_LOCAL_PART_OCTETS
            && (sourceRouteForms == SourceRouteForms.ACCEPT || !SourceRouteForms.isSourceRoute(localPart));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CatchAllRule other && other.target.equals(target) && other.excluded.equals(excluded)
            && other.sourceRouteForms == sourceRouteForms;
    }

    @Override
    public int hashCode() {
        return Objects.hash(target, excluded, sourceRouteForms);
    }

    @Override
    public String toString() {
        return "catch-all -> " + target + " excluding " + excluded + ", source-route forms: " + sourceRouteForms.asString();
    }
}
