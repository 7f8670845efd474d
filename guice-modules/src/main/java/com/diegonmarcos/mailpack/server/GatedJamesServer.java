package com.diegonmarcos.mailpack.server;

import org.apache.james.GuiceJamesServer;
import org.apache.james.modules.CommonServicesModule;
import org.apache.james.modules.IsStartedProbeModule;
import org.apache.james.server.core.configuration.Configuration;

import com.diegonmarcos.mailpack.modules.spool.StartGate;
import com.google.inject.util.Modules;

/**
 * {@link GuiceJamesServer#forConfiguration} with a {@link StartGate} as its started probe, so that
 * the gate opens when {@code start()} has run every initialisation operation. The gate is carried
 * by {@code combineWith}/{@code overrideWith} like James' own probe.
 */
final class GatedJamesServer extends GuiceJamesServer {
    private GatedJamesServer(StartGate gate, com.google.inject.Module module) {
        super(gate, module);
    }

    static GuiceJamesServer forConfiguration(Configuration configuration, StartGate gate) {
        return new GatedJamesServer(gate, Modules.combine(
            new IsStartedProbeModule(gate),
            binder -> binder.bind(StartGate.class).toInstance(gate),
            new CommonServicesModule(configuration)));
    }
}
