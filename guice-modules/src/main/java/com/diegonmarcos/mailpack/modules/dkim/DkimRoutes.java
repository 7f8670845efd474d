package com.diegonmarcos.mailpack.modules.dkim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

import com.diegonmarcos.mailpack.dkim.TagList;
import com.diegonmarcos.mailpack.dkim.ZoneFile;
import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.dns.TxtResult;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * Webadmin routes for DKIM keys (behind webadmin's JWT like every route):
 * <pre>
 * GET    /dkim                          every local domain's keys and their state
 * GET    /dkim/{domain}/records         the TXT records to publish, zone-file text (?format=json)
 * POST   /dkim/{domain}/rotate          new pending ed25519 + RSA keys: 201, records to publish
 * POST   /dkim/{domain}/rotate/confirm  sign with the pending keys (409 unless published; ?force=true)
 * DELETE /dkim/{domain}/rotate          forget the pending keys: 204
 * </pre>
 */
public class DkimRoutes implements Routes {
    private static final Logger LOGGER = LoggerFactory.getLogger(DkimRoutes.class);
    static final String BASE = "/dkim";

    private final DkimKeyStore store;
    private final DomainList domains;
    private final DnsClient dns;
    private final JsonTransformer json;

    @Inject
    public DkimRoutes(DkimKeyStore store, DomainList domains, DnsClient dns, JsonTransformer json) {
        this.store = store;
        this.domains = domains;
        this.dns = dns;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> {
            List<Map<String, Object>> all = new ArrayList<>();
            for (Domain domain : domains.getDomains()) {
                String name = domain.asString();
                try {
                    all.add(Map.of("domain", name, "source", store.isConfigured(name) ? "conf" : "var/dkim", "keys", views(store.keys(name))));
                } catch (IllegalArgumentException e) {
                    // "localhost" and other single-label domains have no DKIM keys
                }
            }
            return all;
        }, json);
        service.get(BASE + "/:domain/records", this::records);
        service.post(BASE + "/:domain/rotate", this::rotate, json);
        service.post(BASE + "/:domain/rotate/confirm", this::confirm, json);
        service.delete(BASE + "/:domain/rotate", (request, response) -> {
            String domain = localDomain(request);
            try {
                store.cancel(domain);
            } catch (IllegalStateException e) {
                throw conflict(e.getMessage());
            }
            response.status(HttpStatus.NO_CONTENT_204);
            return "";
        });
    }

    private Object records(Request request, Response response) throws Exception {
        String domain = localDomain(request);
        List<DkimKeyStore.KeyView> keys = store.keys(domain);
        if ("json".equals(request.queryParams("format"))) {
            response.type("application/json");
            return json.render(views(keys));
        }
        response.type("text/plain; charset=utf-8");
        return DkimRecords.zone(domain, keys);
    }

    private Object rotate(Request request, Response response) throws Exception {
        String domain = localDomain(request);
        List<DkimKeyStore.KeyView> made;
        try {
            made = store.rotate(domain);
        } catch (IllegalStateException e) {
            throw conflict(e.getMessage());
        }
        LOGGER.info("DKIM rotation of {} requested over webadmin: pending {}", domain,
            made.stream().map(DkimKeyStore.KeyView::selector).collect(Collectors.toList()));
        response.status(HttpStatus.CREATED_201);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("domain", domain);
        body.put("pending", views(made));
        body.put("next", "publish the records, then POST " + BASE + "/" + domain + "/rotate/confirm"
            + store.settings().activationDelay().map(delay -> " (or wait " + delay + ")").orElse(""));
        body.put("records", DkimRecords.zone(domain, store.keys(domain)));
        return body;
    }

    private Object confirm(Request request, Response response) throws Exception {
        String domain = localDomain(request);
        List<DkimKeyStore.KeyView> pending = store.pending(domain);
        if (pending.isEmpty()) {
            throw conflict("no rotation of " + domain + " is pending");
        }
        if (!"true".equals(request.queryParams("force"))) {
            List<String> problems = new ArrayList<>();
            for (DkimKeyStore.KeyView key : pending) {
                published(domain, key).ifPresent(problems::add);
            }
            if (!problems.isEmpty()) {
                throw conflict("not published yet (or not visible to our resolver): " + String.join("; ", problems)
                    + ". Publish GET " + BASE + "/" + domain + "/records, or add ?force=true");
            }
        }
        List<DkimKeyStore.KeyView> keys = store.confirm(domain);
        LOGGER.info("DKIM rotation of {} confirmed over webadmin", domain);
        return views(keys);
    }

    /** Empty when the key's record resolves and carries its public key, else why not. */
    private java.util.Optional<String> published(String domain, DkimKeyStore.KeyView key) {
        String name = ZoneFile.ownerName(key.selector(), domain);
        TxtResult result = dns.txt(name);
        if (result.status() != TxtResult.Status.FOUND) {
            return java.util.Optional.of(name + " " + result.status() + " (" + result.detail() + ")");
        }
        String expected = TagList.withoutWhitespace(key.txtRecord().substring(key.txtRecord().indexOf("p=")));
        boolean matches = result.records().stream().anyMatch(record -> TagList.withoutWhitespace(record).contains(expected));
        return matches ? java.util.Optional.empty() : java.util.Optional.of(name + " has another key");
    }

    private String localDomain(Request request) throws DomainListException {
        Domain domain;
        try {
            domain = Domain.of(request.params("domain"));
        } catch (IllegalArgumentException e) {
            throw ErrorResponder.builder().statusCode(HttpStatus.BAD_REQUEST_400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
                .message("invalid domain: " + e.getMessage()).haltError();
        }
        if (!domains.containsDomain(domain)) {
            throw ErrorResponder.builder().statusCode(HttpStatus.NOT_FOUND_404).type(ErrorResponder.ErrorType.NOT_FOUND)
                .message(domain.asString() + " is not a local domain").haltError();
        }
        try {
            return DkimKeyStore.normalize(domain.asString());
        } catch (IllegalArgumentException e) {
            throw ErrorResponder.builder().statusCode(HttpStatus.BAD_REQUEST_400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
                .message(e.getMessage() + ": DKIM needs a domain name with a dot").haltError();
        }
    }

    private static spark.HaltException conflict(String message) {
        return ErrorResponder.builder().statusCode(HttpStatus.CONFLICT_409).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
            .message(message).haltError();
    }

    private static List<Map<String, Object>> views(List<DkimKeyStore.KeyView> keys) {
        return keys.stream().map(key -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("selector", key.selector());
            view.put("algorithm", key.algorithm().tagValue());
            view.put("state", key.state().name().toLowerCase(java.util.Locale.ROOT));
            view.put("created", key.created().toString());
            key.activated().ifPresent(when -> view.put("activated", when.toString()));
            key.activateAfter().ifPresent(when -> view.put("activateAfter", when.toString()));
            key.replaced().ifPresent(when -> view.put("replaced", when.toString()));
            key.retiredAfter().ifPresent(when -> view.put("retiredAfter", when.toString()));
            view.put("name", key.selector() + "._domainkey");
            view.put("value", key.txtRecord());
            view.put("strings", ZoneFile.split(key.txtRecord(), ZoneFile.MAX_STRING));
            return view;
        }).collect(Collectors.toList());
    }

}
