package com.diegonmarcos.mailpack.routing;

import java.util.Map;
import java.util.Optional;

import org.apache.james.core.Domain;

/**
 * The catch-all rules in force, per domain. Implementations may change at run time (webadmin);
 * readers ask again for every mail.
 */
public interface CatchAllRules {
    Optional<CatchAllRule> forDomain(Domain domain);

    Map<Domain, CatchAllRule> all();
}
