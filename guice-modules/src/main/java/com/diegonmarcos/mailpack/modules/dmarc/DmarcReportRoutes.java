package com.diegonmarcos.mailpack.modules.dmarc;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;

import spark.Service;

/**
 * Webadmin route (behind webadmin's JWT):
 * <pre>
 * POST /dmarc/reports[?until=YYYY-MM-DD]   send the aggregate reports of every complete day before
 *                                          {@code until} (default: today, UTC) not sent yet: 200 with what was sent
 * </pre>
 * {@code until} may be at most tomorrow (then today's records are reported now, and records of
 * today that arrive later are never reported).
 */
public class DmarcReportRoutes implements Routes {
    static final String BASE = "/dmarc/reports";

    private final DmarcReporter reporter;
    private final JsonTransformer json;

    @Inject
    public DmarcReportRoutes(DmarcReporter reporter, JsonTransformer json) {
        this.reporter = reporter;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.post(BASE, (request, response) -> {
            LocalDate until = reporter.today();
            String parameter = request.queryParams("until");
            if (parameter != null) {
                try {
                    until = LocalDate.parse(parameter);
                } catch (DateTimeParseException e) {
                    throw bad("until must be a date such as 2026-11-22, got '" + parameter + "'");
                }
                if (until.isAfter(reporter.today().plusDays(1))) {
                    throw bad("until may be at most tomorrow (" + reporter.today().plusDays(1) + ")");
                }
            }
            return reporter.run(until);
        }, json);
    }

    private static RuntimeException bad(String message) {
        return ErrorResponder.builder()
            .statusCode(HttpStatus.BAD_REQUEST_400)
            .type(ErrorResponder.ErrorType.INVALID_ARGUMENT)
            .message(message)
            .haltError();
    }
}
