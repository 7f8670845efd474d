package com.diegonmarcos.mailpack.modules.webadmin;

import java.util.Locale;
import java.util.Set;

import org.apache.james.webadmin.PublicRoutes;

import spark.Service;

/**
 * Refuses a webadmin request whose body is sent as an HTML form ({@code application/x-www-form-urlencoded},
 * what {@code curl -d} sends unless told otherwise) with one clear answer: {@code 415} naming the header
 * to add. The servlet container reads such a body as form fields, so James' routes saw an empty body
 * and answered with a message about the value instead ("Invalid quota. Need to be an integer value
 * greater or equal to -1 ... For input string: \"\"", "JSON payload of the request is not valid").
 *
 * <p>A {@link PublicRoutes}, so the answer comes before the token check: it says nothing about the
 * server that the token would protect.
 */
public class FormBodiesRefused implements PublicRoutes {
    static final String FORM = "application/x-www-form-urlencoded";
    private static final Set<String> WITH_BODY = Set.of("PUT", "POST", "PATCH");

    @Override
    public String getBasePath() {
        return "";
    }

    @Override
    public void define(Service service) {
        service.before((request, response) -> {
            String type = request.contentType();
            if (type != null && WITH_BODY.contains(request.requestMethod())
                    && type.toLowerCase(Locale.ROOT).startsWith(FORM)) {
                response.type("application/json");
                service.halt(415, "{\"statusCode\":415,\"type\":\"InvalidArgument\",\"message\":\"The body was sent as "
                    + FORM + " (curl -d does that): send it with -H 'Content-Type: application/json'"
                    + " (or the type the route documents)\"}");
            }
        });
    }
}
