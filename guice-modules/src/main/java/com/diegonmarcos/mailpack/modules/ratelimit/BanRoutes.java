package com.diegonmarcos.mailpack.modules.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;

import com.diegonmarcos.mailpack.ratelimit.Ban;
import com.diegonmarcos.mailpack.ratelimit.LoginGuard;

import spark.Service;

/**
 * Webadmin routes for login bans (brute-force protection):
 * <pre>
 * GET    /bans                      [{"kind": "ip"|"account", "value": "192.0.2.7", "until": "2026-...Z", "offence": 1}]
 * DELETE /bans/ip/{address}         lift a ban of a client address (and forget its failures) - 204, 404 when not banned
 * DELETE /bans/account/{user}       lift a ban of an account - 204, 404 when not banned
 * </pre>
 */
public class BanRoutes implements Routes {
    static final String BASE = "/bans";

    private final LoginGuard guard;
    private final JsonTransformer jsonTransformer;

    @Inject
    public BanRoutes(LoginGuard guard, JsonTransformer jsonTransformer) {
        this.guard = guard;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> guard.bans().stream().map(BanRoutes::view).collect(Collectors.toList()), jsonTransformer);
        for (Ban.Kind kind : Ban.Kind.values()) {
            service.delete(BASE + "/" + kind + "/:value", (request, response) -> {
                String value = request.params("value");
                if (!guard.lift(kind, value)) {
                    throw ErrorResponder.builder().statusCode(HttpStatus.NOT_FOUND_404).type(ErrorResponder.ErrorType.NOT_FOUND)
                        .message("no current ban of " + kind + " " + value).haltError();
                }
                response.status(HttpStatus.NO_CONTENT_204);
                return "";
            });
        }
    }

    private static Map<String, Object> view(Ban ban) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("kind", ban.kind().name());
        view.put("value", ban.value());
        view.put("until", ban.until().toString());
        view.put("offence", ban.offence());
        return view;
    }
}
