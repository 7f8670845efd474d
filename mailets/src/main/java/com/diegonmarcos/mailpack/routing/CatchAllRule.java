package com.diegonmarcos.mailpack.routing;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import org.apache.james.core.MailAddress;

import com.google.common.collect.ImmutableSet;

/** One domain's catch-all: where unknown local parts go, and which ones must bounce instead. */
public final class CatchAllRule {
    private final MailAddress target;
    private final Set<String> excluded;

    public CatchAllRule(MailAddress target, Set<String> excludedLocalParts) {
        this.target = Objects.requireNonNull(target, "target");
        this.excluded = excludedLocalParts.stream()
            .map(local -> local.toLowerCase(Locale.ROOT))
            .collect(ImmutableSet.toImmutableSet());
    }

    public MailAddress target() {
        return target;
    }

    public Set<String> excluded() {
        return excluded;
    }

    /** Local parts are compared case-insensitively, as nearly every mail system does in practice. */
    public boolean excludes(String localPart) {
        return excluded.contains(localPart.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CatchAllRule && ((CatchAllRule) o).target.equals(target) && ((CatchAllRule) o).excluded.equals(excluded);
    }

    @Override
    public int hashCode() {
        return Objects.hash(target, excluded);
    }

    @Override
    public String toString() {
        return "catch-all -> " + target + " excluding " + excluded;
    }
}
