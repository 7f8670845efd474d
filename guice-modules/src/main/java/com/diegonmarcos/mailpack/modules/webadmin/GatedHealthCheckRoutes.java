package com.diegonmarcos.mailpack.modules.webadmin;

import static org.apache.james.util.ReactorUtils.DEFAULT_CONCURRENCY;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.inject.Named;

import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.apache.james.core.healthcheck.ResultStatus;
import org.apache.james.webadmin.authentication.AuthenticationFilter;
import org.apache.james.webadmin.routes.HealthCheckRoutes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;

import com.google.common.collect.ImmutableMap;
import com.google.common.net.UrlEscapers;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import spark.HaltException;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * {@code /healthcheck} in place of James' routes, which answer every detail to anyone who can reach
 * webadmin (component names, causes with host names, ports and error texts):
 * <pre>
 * GET /healthcheck                     no admin token: {"status":"healthy"} (or degraded, unhealthy: 503)
 *                                      admin token: the status and every check, as James answers it
 * GET /healthcheck/checks              admin token (401 without): the names of the checks
 * GET /healthcheck/checks/{name}       admin token (401 without): one check
 * </pre>
 * The overall status stays public so a liveness probe (the container's HEALTHCHECK, a load balancer)
 * needs no secret. A check that is switched off ({@link SwitchedOff}) is shown healthy with the cause
 * {@code disabled: <why>}. Failing checks are not logged here: the periodic checks
 * ({@code conf/healthcheck.properties}) log them, a probe every few seconds would repeat them.
 */
public class GatedHealthCheckRoutes extends HealthCheckRoutes {
    private static final String COMPONENT = "componentName";

    private final Set<HealthCheck> healthChecks;
    private final JsonTransformer jsonTransformer;
    private final AuthenticationFilter authentication;

    @Inject
    public GatedHealthCheckRoutes(@Named("resolved-checks") Set<HealthCheck> healthChecks, JsonTransformer jsonTransformer,
                                  AuthenticationFilter authentication) {
        super(healthChecks, jsonTransformer);
        this.healthChecks = healthChecks;
        this.jsonTransformer = jsonTransformer;
        this.authentication = authentication;
    }

    @Override
    public void define(Service service) {
        service.before(HEALTHCHECK + CHECKS, authentication);
        service.before(HEALTHCHECK + CHECKS + "/*", authentication);
        service.get(HEALTHCHECK, this::overall, jsonTransformer);
        service.get(HEALTHCHECK + CHECKS, this::getHealthChecks, jsonTransformer);
        service.get(HEALTHCHECK + CHECKS + "/:" + COMPONENT, this::one, jsonTransformer);
    }

    /** One check's outcome, with the reason a switched-off component gives as its cause. */
    private record Checked(String name, ResultStatus status, Optional<String> cause) {
        static Checked of(HealthCheck check, Result result) {
            Optional<String> cause = result.getCause();
            if (cause.isEmpty() && result.isHealthy() && check instanceof SwitchedOff switchable) {
                cause = switchable.switchedOffBecause().map(why -> "disabled: " + why);
            }
            return new Checked(result.getComponentName().getName(), result.getStatus(), cause);
        }

        /** The fields, and their order, of James' {@code HealthCheckExecutionResultDto}. */
        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put(COMPONENT, name);
            json.put("escapedComponentName", UrlEscapers.urlPathSegmentEscaper().escape(name));
            json.put("status", status.getValue());
            json.put("cause", cause.orElse(null));
            return json;
        }
    }

    private Object overall(Request request, Response response) throws Exception {
        List<Checked> checks = Flux.fromIterable(healthChecks)
            .flatMap(check -> Mono.from(check.check()).map(result -> Checked.of(check, result)), DEFAULT_CONCURRENCY)
            .collectList()
            .block();
        ResultStatus status = checks.stream().map(Checked::status).reduce(ResultStatus::merge).orElse(ResultStatus.HEALTHY);
        response.status(httpStatus(status));
        if (!isAdmin(request, response)) {
            return ImmutableMap.of("status", status.getValue());
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("status", status.getValue());
        all.put("checks", checks.stream().map(Checked::json).toList());
        return all;
    }

    private Object one(Request request, Response response) {
        String name = request.params(COMPONENT);
        HealthCheck check = healthChecks.stream()
            .filter(candidate -> candidate.componentName().getName().equals(name))
            .findFirst()
            .orElseThrow(() -> ErrorResponder.builder()
                .message("Component with name %s cannot be found", name)
                .statusCode(HttpStatus.NOT_FOUND_404)
                .type(ErrorResponder.ErrorType.NOT_FOUND)
                .haltError());
        Checked checked = Checked.of(check, Mono.from(check.check()).block());
        response.status(httpStatus(checked.status()));
        return checked.json();
    }

    /** The token check of every other route; no valid admin token here means "the summary only". */
    private boolean isAdmin(Request request, Response response) throws Exception {
        try {
            authentication.handle(request, response);
            return true;
        } catch (HaltException noValidToken) {
            return false;
        }
    }

    private static int httpStatus(ResultStatus status) {
        return status == ResultStatus.UNHEALTHY ? HttpStatus.SERVICE_UNAVAILABLE_503 : HttpStatus.OK_200;
    }
}
