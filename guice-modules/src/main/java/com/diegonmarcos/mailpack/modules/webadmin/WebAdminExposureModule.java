package com.diegonmarcos.mailpack.modules.webadmin;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.routes.HealthCheckRoutes;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;

/**
 * What webadmin shows to whom: no CORS headers unless {@code cors.enable=true} ({@link NoCorsHeaders}),
 * and {@code /healthcheck} details for the admin token only ({@link GatedHealthCheckRoutes}); a body
 * sent as a form gets one clear 415 ({@link FormBodiesRefused}).
 * {@link #HEALTHCHECK} replaces James' binding of its {@code HealthCheckRoutes} and goes among the
 * server's overrides.
 */
public class WebAdminExposureModule extends AbstractModule {
    /** James' {@code HealthCheckRoutes} (bound by its {@code HealthCheckRoutesModule}) served by {@link GatedHealthCheckRoutes}. */
    public static final Module HEALTHCHECK = new AbstractModule() {
        @Override
        protected void configure() {
            bind(HealthCheckRoutes.class).to(GatedHealthCheckRoutes.class);
            bind(GatedHealthCheckRoutes.class).in(Scopes.SINGLETON);
        }
    };

    @Override
    protected void configure() {
        Multibinder<Routes> routes = Multibinder.newSetBinder(binder(), Routes.class);
        routes.addBinding().to(NoCorsHeaders.class);
        routes.addBinding().to(FormBodiesRefused.class);
    }
}
