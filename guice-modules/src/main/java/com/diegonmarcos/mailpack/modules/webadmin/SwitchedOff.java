package com.diegonmarcos.mailpack.modules.webadmin;

import java.util.Optional;

/**
 * A {@code HealthCheck} of a component the operator may switch off (rspamd, clamd). James' {@code Result}
 * has no "disabled" state and a healthy result carries no cause, so the check reports healthy and says
 * here why it is off; {@link GatedHealthCheckRoutes} shows it as the cause {@code disabled: <why>}.
 */
public interface SwitchedOff {
    /** Why the component is off, or empty while it is on. */
    Optional<String> switchedOffBecause();
}
