package com.diegonmarcos.mailpack.modules.routing;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.routing.CatchAllRule;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableMap;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * Webadmin routes for the catch-all, effective at once (no restart):
 * <pre>
 * GET    /catchall                    every domain's rule: [{domain, target, excluded, sourceRouteForms, source}]
 * GET    /catchall/{domain}           one rule, 404 when the domain has none
 * PUT    /catchall/{domain}           {"target": "diego@diegonmarcos.com", "excluded": ["info"], "sourceRouteForms": "refuse"} - 204
 * DELETE /catchall/{domain}           switch the domain's catch-all off (unknown users get 550) - 204
 * DELETE /catchall/{domain}/override  forget the run-time setting, back to conf/recipients.xml - 204
 * </pre>
 */
public class CatchAllRoutes implements Routes {
    private static final Logger LOGGER = LoggerFactory.getLogger(CatchAllRoutes.class);
    static final String BASE = "/catchall";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CatchAllStore store;
    private final DomainList domains;
    private final JsonTransformer jsonTransformer;

    @Inject
    public CatchAllRoutes(CatchAllStore store, DomainList domains, JsonTransformer jsonTransformer) {
        this.store = store;
        this.domains = domains;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> store.all().entrySet().stream()
            .map(entry -> view(entry.getKey(), entry.getValue()))
            .collect(Collectors.toList()), jsonTransformer);
        service.get(BASE + "/:domain", (request, response) -> {
            Domain domain = domain(request);
            return store.forDomain(domain)
                .map(rule -> view(domain, rule))
                .orElseThrow(() -> ErrorResponder.builder().statusCode(HttpStatus.NOT_FOUND_404)
                    .type(ErrorResponder.ErrorType.NOT_FOUND).message("no catch-all for " + domain.asString()).haltError());
        }, jsonTransformer);
        service.put(BASE + "/:domain", this::set);
        service.delete(BASE + "/:domain", (request, response) -> {
            Domain domain = localDomain(request);
            store.set(domain, Optional.empty());
            LOGGER.info("Catch-all of {} switched off over webadmin", domain.asString());
            return noContent(response);
        });
        service.delete(BASE + "/:domain/override", (request, response) -> {
            Domain domain = domain(request);
            store.reset(domain);
            LOGGER.info("Catch-all of {} back to conf/recipients.xml", domain.asString());
            return noContent(response);
        });
    }

    private Object set(Request request, Response response) throws IOException, DomainListException {
        Domain domain = localDomain(request);
        CatchAllStore.Setting body;
        try {
            body = JSON.readValue(request.body(), CatchAllStore.Setting.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw badRequest("the body must be {\"target\": \"user@domain\", \"excluded\": [\"local-part\", ...], "
                + "\"sourceRouteForms\": \"refuse\" or \"accept\"}: " + e.getOriginalMessage());
        }
        CatchAllRule rule;
        try {
            rule = CatchAllStore.rule(body.target, body.excluded, body.sourceRouteForms, "body");
        } catch (IOException e) {
            throw badRequest(e.getMessage());
        }
        store.set(domain, Optional.of(rule));
        LOGGER.info("Catch-all of {} set over webadmin: {}", domain.asString(), rule);
        return noContent(response);
    }

    private Domain localDomain(Request request) throws DomainListException {
        Domain domain = domain(request);
        if (!domains.containsDomain(domain)) {
            throw ErrorResponder.builder().statusCode(HttpStatus.NOT_FOUND_404).type(ErrorResponder.ErrorType.NOT_FOUND)
                .message(domain.asString() + " is not a local domain").haltError();
        }
        return domain;
    }

    private static Domain domain(Request request) {
        try {
            return Domain.of(request.params("domain"));
        } catch (IllegalArgumentException e) {
            throw badRequest("invalid domain: " + e.getMessage());
        }
    }

    private static spark.HaltException badRequest(String message) {
        return ErrorResponder.builder().statusCode(HttpStatus.BAD_REQUEST_400)
            .type(ErrorResponder.ErrorType.INVALID_ARGUMENT).message(message).haltError();
    }

    private static String noContent(Response response) {
        response.status(HttpStatus.NO_CONTENT_204);
        return "";
    }

    private Map<String, Object> view(Domain domain, CatchAllRule rule) {
        return ImmutableMap.of(
            "domain", domain.asString(),
            "target", rule.target().asString(),
            "excluded", List.copyOf(rule.excluded()),
            "sourceRouteForms", rule.sourceRouteForms().asString(),
            "source", store.sourceOf(domain));
    }
}
