package com.diegonmarcos.mailpack.modules.ratelimit;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.ratelimit.RateLimits;
import com.diegonmarcos.mailpack.ratelimit.SenderLimits;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * Webadmin routes for per-user sender limits, effective at once:
 * <pre>
 * GET    /ratelimits                 {"defaults": {...}, "users": {"user": {...}}}
 * GET    /ratelimits/users/{user}    the user's limits and "source": "override" or "conf"
 * PUT    /ratelimits/users/{user}    {"messages": {"perMinute": 20, "perHour": 200, "perDay": 1000},
 *                                     "recipients": {"perHour": 300, "perDay": 3000}} - 204
 *                                    (a window left out or 0 has no limit for this user)
 * DELETE /ratelimits/users/{user}    back to the defaults of conf/ratelimits.xml - 204, 404 when none
 * </pre>
 */
public class RateLimitRoutes implements Routes {
    private static final Logger LOGGER = LoggerFactory.getLogger(RateLimitRoutes.class);
    static final String BASE = "/ratelimits";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RateLimits limits;
    private final UserLimitsFile file;
    private final UsersRepository users;
    private final JsonTransformer jsonTransformer;

    @Inject
    public RateLimitRoutes(RateLimits limits, UserLimitsFile file, UsersRepository users, JsonTransformer jsonTransformer) {
        this.limits = limits;
        this.file = file;
        this.users = users;
        this.jsonTransformer = jsonTransformer;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, (request, response) -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("defaults", UserLimitsFile.toCounts(limits.settings().sender()));
            Map<String, Object> overrides = new TreeMap<>();
            limits.overrides().forEach((user, userLimits) -> overrides.put(user, UserLimitsFile.toCounts(userLimits)));
            view.put("users", overrides);
            return view;
        }, jsonTransformer);
        service.get(BASE + "/users/:user", (request, response) -> {
            String user = user(request);
            Map<String, Object> view = new LinkedHashMap<>(UserLimitsFile.toCounts(limits.senderLimits(user)));
            view.put("source", limits.override(user).isPresent() ? "override" : "conf");
            return view;
        }, jsonTransformer);
        service.put(BASE + "/users/:user", this::set);
        service.delete(BASE + "/users/:user", (request, response) -> {
            String user = user(request);
            if (!limits.removeOverride(user)) {
                throw ErrorResponder.builder().statusCode(HttpStatus.NOT_FOUND_404).type(ErrorResponder.ErrorType.NOT_FOUND)
                    .message(user + " has no rate-limit override").haltError();
            }
            file.save();
            LOGGER.info("Rate limits of {} back to conf/ratelimits.xml", user);
            response.status(HttpStatus.NO_CONTENT_204);
            return "";
        });
    }

    private Object set(Request request, Response response) throws IOException, UsersRepositoryException {
        String user = user(request);
        if (!users.contains(Username.of(user))) {
            throw ErrorResponder.builder().statusCode(HttpStatus.NOT_FOUND_404).type(ErrorResponder.ErrorType.NOT_FOUND)
                .message(user + " is not a user").haltError();
        }
        SenderLimits userLimits;
        try {
            Map<String, Map<String, Long>> body = JSON.readValue(request.body(), new TypeReference<>() { });
            userLimits = UserLimitsFile.fromCounts(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw ErrorResponder.builder().statusCode(HttpStatus.BAD_REQUEST_400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
                .message("the body must be {\"messages\": {\"perMinute\": n, \"perHour\": n, \"perDay\": n}, \"recipients\": {...}}: "
                    + e.getMessage()).haltError();
        }
        limits.setOverride(user, userLimits);
        file.save();
        LOGGER.info("Rate limits of {} set over webadmin: {}", user, userLimits);
        response.status(HttpStatus.NO_CONTENT_204);
        return "";
    }

    private static String user(Request request) {
        try {
            return Username.of(request.params("user")).asString();
        } catch (IllegalArgumentException e) {
            throw ErrorResponder.builder().statusCode(HttpStatus.BAD_REQUEST_400).type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
                .message("invalid user: " + e.getMessage()).haltError();
        }
    }
}
