package com.diegonmarcos.mailpack.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.status.Status;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;

class TlsFailureLogFilterTest {
    static final String BASIC = "org.apache.james.protocols.netty.BasicChannelInboundHandler";
    static final String IMAP = "org.apache.james.imapserver.netty.ImapChannelUpstreamHandler";

    LoggerContext context;
    ListAppender<ILoggingEvent> events;
    TlsFailureLogFilter filter;
    MovableClock clock = new MovableClock(Instant.parse("2026-01-01T10:00:00Z"));

    @BeforeEach
    void setUp() {
        context = new LoggerContext();
        events = new ListAppender<>();
        events.setContext(context);
        events.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(events);
        filter = new TlsFailureLogFilter();
        filter.setContext(context);
        filter.setClock(clock);
        filter.start();
        context.addTurboFilter(filter);
    }

    static Throwable handshakeFailure(String reason) {
        return new DecoderException(new SSLHandshakeException(reason));
    }

    /** Logs as James' handler does, on a thread named as James names its I/O threads, with its MDC. */
    void logOn(String thread, String loggerName, Throwable cause) throws InterruptedException {
        Thread io = new Thread(() -> {
            MDC.put("ip", "192.0.2.7");
            try {
                context.getLogger(loggerName).error("Unable to process request", cause);
            } finally {
                MDC.clear();
            }
        }, thread);
        io.start();
        io.join();
    }

    List<String> lines() {
        return events.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    @Nested
    class OneLinePerFailure {
        @Test
        void aFailedHandshakeBecomesOneWarnLineWithClientListenerAndReasonAndNoStackTrace() throws Exception {
            logOn("smtp-submissions-io-3", BASIC, handshakeFailure("(handshake_failure) no cipher suites in common"));

            assertThat(events.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).hasToString("WARN");
                assertThat(event.getLoggerName()).isEqualTo(TlsFailureLogFilter.class.getName());
                assertThat(event.getFormattedMessage()).isEqualTo(
                    "TLS handshake failed: client 192.0.2.7, listener smtp-submissions: (handshake_failure) no cipher suites in common");
                assertThat(event.getThrowableProxy()).isNull();
            });
        }

        @Test
        void imapsWarningIsTreatedAlike() throws Exception {
            logOn("imaps-io-0", IMAP, handshakeFailure("(protocol_version) Client requested protocol TLSv1 is not enabled or supported in server context"));

            assertThat(lines()).containsExactly("TLS handshake failed: client 192.0.2.7, listener imaps: "
                + "(protocol_version) Client requested protocol TLSv1 is not enabled or supported in server context");
        }

        @Test
        void plaintextOnATlsPortIsShownAsText() throws Exception {
            String hex = "a1 LOGIN diego secret\r\n".chars().mapToObj(c -> String.format("%02x", c)).collect(Collectors.joining());
            logOn("imaps-io-1", IMAP, new NotSslRecordException("not an SSL/TLS record: " + hex));

            assertThat(lines()).containsExactly("TLS handshake failed: client 192.0.2.7, listener imaps: "
                + "not a TLS record, plaintext on a TLS port? \"a1 LOGIN\"...");
        }

        @Test
        void binaryThatIsNotTlsIsShownInHex() throws Exception {
            logOn("imaps-io-1", IMAP, new NotSslRecordException("not an SSL/TLS record: 8040010002002700000010050080"));

            assertThat(lines()).containsExactly("TLS handshake failed: client 192.0.2.7, listener imaps: not a TLS record: 8040010002002700...");
        }

        @Test
        void anErrorInAnEstablishedSessionIsATlsError() throws Exception {
            logOn("pop3s-io-2", BASIC, new DecoderException(new SSLException("Tag mismatch")));

            assertThat(lines()).containsExactly("TLS error: client 192.0.2.7, listener pop3s: Tag mismatch");
        }

        @Test
        void aReasonCannotForgeLogLinesAndIsShortened() throws Exception {
            logOn("imaps-io-1", IMAP, handshakeFailure("bad\r\n2026-01-01 ERROR forged " + "x".repeat(400)));

            assertThat(lines()).singleElement().asString()
                .doesNotContain("\r", "\n")
                .contains("bad..2026-01-01 ERROR forged")
                .endsWith("...")
                .hasSizeLessThan(300);
        }
    }

    @Nested
    class OtherEventsPassUntouched {
        @Test
        void otherExceptionsOfJamesHandlersKeepTheirStackTrace() throws Exception {
            logOn("smtp-inbound-io-1", BASIC, new IllegalStateException("a real bug"));

            assertThat(events.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).hasToString("ERROR");
                assertThat(event.getLoggerName()).isEqualTo(BASIC);
                assertThat(event.getThrowableProxy().getClassName()).isEqualTo(IllegalStateException.class.getName());
            });
        }

        @Test
        void tlsExceptionsOfOtherLoggersKeepTheirStackTrace() throws Exception {
            logOn("outgoing-1", "org.apache.james.transport.mailets.remote.delivery.MailDelivrer",
                handshakeFailure("(handshake_failure) remote MX refused us"));

            assertThat(events.list).singleElement().satisfies(event -> assertThat(event.getThrowableProxy()).isNotNull());
        }

        @Test
        void eventsWithoutExceptionPass() throws Exception {
            context.getLogger(BASIC).info("Connection established from {}", "192.0.2.7");

            assertThat(lines()).containsExactly("Connection established from 192.0.2.7");
        }
    }

    @Nested
    class RateLimit {
        @Test
        void atMostTenLinesAMinutePerListenerThenOneNoticeThenTheCount() throws Exception {
            for (int i = 0; i < 25; i++) {
                logOn("imaps-io-" + (i % 4), IMAP, handshakeFailure("(handshake_failure) no cipher suites in common"));
            }
            logOn("pop3s-io-0", BASIC, handshakeFailure("(handshake_failure) no cipher suites in common"));

            assertThat(lines()).hasSize(12);
            assertThat(lines().subList(0, 10)).allSatisfy(line -> assertThat(line).startsWith("TLS handshake failed: client 192.0.2.7, listener imaps:"));
            assertThat(lines().get(10)).isEqualTo("TLS failures: more than 10 a minute on listener imaps; "
                + "counting the next ones until 2026-01-01T10:01:00Z instead of logging them");
            assertThat(lines().get(11)).contains("listener pop3s");

            clock.advance(Duration.ofSeconds(61));
            logOn("imaps-io-0", IMAP, handshakeFailure("(handshake_failure) no cipher suites in common"));

            assertThat(lines().subList(12, lines().size())).containsExactly(
                "TLS failures: 15 more on listener imaps since 2026-01-01T10:00:00Z were not logged (at most 10 a minute)",
                "TLS handshake failed: client 192.0.2.7, listener imaps: (handshake_failure) no cipher suites in common");
        }

        @Test
        void theLimitIsConfigurable() throws Exception {
            filter.setMaxPerMinute(2);
            for (int i = 0; i < 5; i++) {
                logOn("imaps-io-0", IMAP, handshakeFailure("(handshake_failure) no cipher suites in common"));
            }
            assertThat(lines()).hasSize(3);
        }

        @Test
        void aNegativeLimitIsAConfigurationErrorAndTheFilterStaysOff() {
            TlsFailureLogFilter wrong = new TlsFailureLogFilter();
            wrong.setContext(context);
            wrong.setMaxPerMinute(-1);
            wrong.start();

            assertThat(wrong.isStarted()).isFalse();
            assertThat(context.getStatusManager().getCopyOfStatusList()).map(Status::getMessage)
                .anySatisfy(message -> assertThat(message).contains("conf/logback.xml", "<maxPerMinute>", "-1"));
        }
    }

    @Test
    void theShippedLogbackXmlInstallsTheFilter(@TempDir Path workingDirectory) throws Exception {
        LoggerContext shipped = new LoggerContext();
        shipped.putProperty("working.directory", workingDirectory.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(shipped);
        configurator.doConfigure(Path.of("../conf/logback.xml").toFile());

        assertThat(shipped.getTurboFilterList()).singleElement().isInstanceOfSatisfying(TlsFailureLogFilter.class,
            installed -> assertThat(installed.isStarted()).isTrue());
        assertThat(shipped.getStatusManager().getCopyOfStatusList()).allSatisfy(status -> assertThat(status.getLevel()).isLessThan(Status.ERROR));
        assertThat(Files.readString(Path.of("../conf/logback.xml"), StandardCharsets.UTF_8)).contains("<maxPerMinute>10</maxPerMinute>");
        shipped.stop();
    }

    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now;

        MovableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void advance(Duration duration) {
            now.updateAndGet(instant -> instant.plus(duration));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
