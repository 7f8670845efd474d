package com.diegonmarcos.mailpack.modules.webadmin;

import java.util.Locale;

import javax.inject.Inject;
import javax.servlet.http.HttpServletResponse;

import org.apache.james.webadmin.PublicRoutes;
import org.apache.james.webadmin.WebAdminConfiguration;

import spark.Service;

/**
 * James 3.8.1's {@code WebAdminServer} sets up CORS when webadmin is enabled, not when CORS is
 * ({@code configureCORS} tests {@code isEnabled()}): every reply carries
 * {@code Access-Control-Allow-Origin: *} and an {@code OPTIONS} route echoes any requested header, so a
 * web page in the admin's browser could read webadmin answers. With {@code cors.enable=false}
 * ({@code conf/webadmin.properties}) this filter takes every {@code Access-Control-*} header off every
 * reply, 401s, 404s and halts included (Spark's after-after filters run last, before the body is
 * written). With CORS on it does nothing and James' CORS headers stay.
 *
 * <p>A {@link PublicRoutes}, so James puts no token check in front of it: it adds no route, only the
 * filter.
 */
public class NoCorsHeaders implements PublicRoutes {
    private static final String PREFIX = "access-control-";

    private final boolean corsEnabled;

    @Inject
    public NoCorsHeaders(WebAdminConfiguration configuration) {
        this.corsEnabled = configuration.isEnableCORS();
    }

    @Override
    public String getBasePath() {
        return "";
    }

    @Override
    public void define(Service service) {
        if (corsEnabled) {
            return;
        }
        service.afterAfter((request, response) -> {
            HttpServletResponse raw = response.raw();
            raw.getHeaderNames().stream()
                .filter(name -> name.toLowerCase(Locale.ROOT).startsWith(PREFIX))
                .distinct()
                .toList()
                .forEach(name -> raw.setHeader(name, null));
        });
    }
}
