package com.diegonmarcos.mailpack.modules.webadmin;

import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;

/** What webadmin shows to whom: no CORS headers unless {@code cors.enable=true} ({@link NoCorsHeaders}). */
public class WebAdminExposureModule extends AbstractModule {
    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(NoCorsHeaders.class);
    }
}
