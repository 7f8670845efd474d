package com.diegonmarcos.mailpack.logging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.slf4j.MDC;
import org.slf4j.Marker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * A logback turbo filter (declared in {@code conf/logback.xml}) for failed TLS handshakes with
 * clients. James logs each one with its whole stack trace, as an ERROR (SMTP, POP3:
 * {@code BasicChannelInboundHandler "Unable to process request"}) or a WARN (IMAP:
 * {@code ImapChannelUpstreamHandler "Error while processing imap request"}): ~45 lines, 4 KB, for
 * every TLS scanner probe or client speaking plaintext on port 993. This filter drops those events
 * and writes one WARN line instead, with the client's address (James' MDC {@code ip}), the listener
 * (the {@code jmxName} that names James' I/O threads) and the reason:
 * <pre>
 * TLS handshake failed: client 192.0.2.7, listener imaps: (handshake_failure) no cipher suites in common
 * </pre>
 * at most {@code maxPerMinute} lines a minute per listener (default {@value #DEFAULT_PER_MINUTE});
 * beyond that one line says that the next ones are only counted, and the first failure after the
 * minute reports how many were suppressed. Events whose exception holds no TLS failure, or that
 * come from other loggers, pass untouched with their stack traces.
 */
public final class TlsFailureLogFilter extends TurboFilter {
    public static final int DEFAULT_PER_MINUTE = 10;
    static final Set<String> JAMES_HANDLERS = Set.of(
        "org.apache.james.protocols.netty.BasicChannelInboundHandler",
        "org.apache.james.imapserver.netty.ImapChannelUpstreamHandler");
    private static final Duration WINDOW = Duration.ofMinutes(1);
    /** James' NamedThreadFactory: {@code <jmxName>-io-<n>}, {@code <jmxName>-boss-<n>}. */
    private static final Pattern THREAD_SUFFIX = Pattern.compile("-(io|boss|executor)-\\d+$");
    private static final String MDC_IP = "ip";

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private int maxPerMinute = DEFAULT_PER_MINUTE;
    private Clock clock = Clock.systemUTC();
    private Logger out;

    /** {@code <maxPerMinute>} in logback.xml: lines per listener and minute; 0 logs only the counts. */
    public void setMaxPerMinute(int maxPerMinute) {
        this.maxPerMinute = maxPerMinute;
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void start() {
        if (maxPerMinute < 0) {
            addError("conf/logback.xml: " + getClass().getSimpleName() + " <maxPerMinute> must be 0 or more, got " + maxPerMinute);
            return;
        }
        // the context's logger, not a static SLF4J one: this runs while logback is being configured
        out = ((LoggerContext) getContext()).getLogger(TlsFailureLogFilter.class);
        super.start();
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (!isStarted() || logger == null || !JAMES_HANDLERS.contains(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        Throwable thrown = t != null ? t : lastThrowable(params);
        if (thrown == null) {
            return FilterReply.NEUTRAL;
        }
        Optional<TlsFailure> failure = TlsFailure.in(thrown);
        if (failure.isEmpty()) {
            return FilterReply.NEUTRAL;
        }
        report(failure.get(), listener(Thread.currentThread().getName()), Optional.ofNullable(MDC.get(MDC_IP)).orElse("unknown"));
        return FilterReply.DENY;
    }

    private static Throwable lastThrowable(Object[] params) {
        return params != null && params.length > 0 && params[params.length - 1] instanceof Throwable
            ? (Throwable) params[params.length - 1] : null;
    }

    static String listener(String threadName) {
        return THREAD_SUFFIX.matcher(threadName).replaceFirst("");
    }

    private void report(TlsFailure failure, String listener, String client) {
        Window window = windows.computeIfAbsent(listener, name -> new Window());
        Instant now = clock.instant();
        synchronized (window) {
            if (window.start == null || !now.isBefore(window.start.plus(WINDOW))) {
                if (window.suppressed > 0) {
                    out.warn("TLS failures: {} more on listener {} since {} were not logged (at most {} a minute)",
                        window.suppressed, listener, window.start.truncatedTo(ChronoUnit.SECONDS), maxPerMinute);
                }
                window.start = now;
                window.logged = 0;
                window.suppressed = 0;
            }
            if (window.logged < maxPerMinute) {
                window.logged++;
                out.warn("TLS {}: client {}, listener {}: {}", failure.handshake() ? "handshake failed" : "error",
                    TlsFailure.printable(client, 64), listener, failure.reason());
            } else {
                if (window.suppressed == 0) {
                    out.warn("TLS failures: more than {} a minute on listener {}; counting the next ones until {} instead of logging them",
                        maxPerMinute, listener, window.start.plus(WINDOW).truncatedTo(ChronoUnit.SECONDS));
                }
                window.suppressed++;
            }
        }
    }

    private static final class Window {
        private Instant start;
        private int logged;
        private int suppressed;
    }
}
