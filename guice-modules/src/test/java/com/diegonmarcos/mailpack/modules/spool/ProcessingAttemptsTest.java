package com.diegonmarcos.mailpack.modules.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessingAttemptsTest {
    @TempDir
    Path directory;

    @Test
    void aMailNeverTriedHasNoAttempts() {
        assertThat(new ProcessingAttempts(directory, Clock.systemUTC()).previous("Mail1")).isEqualTo(ProcessingAttempts.Record.NONE);
    }

    @Test
    void anAttemptThatNeverFinishedIsSeenByTheNextProcess() {
        new ProcessingAttempts(directory, Clock.systemUTC()).begin("Mail1", 1, Optional.empty());

        ProcessingAttempts afterRestart = new ProcessingAttempts(directory, Clock.systemUTC());
        assertThat(afterRestart.previous("Mail1").attempts()).isEqualTo(1);
        assertThat(afterRestart.previous("Mail1").lastErrorOrCrash()).contains("server process ended");
        assertThat(afterRestart.previous("Mail2")).isEqualTo(ProcessingAttempts.Record.NONE);
    }

    @Test
    void clearForgetsTheMail() {
        ProcessingAttempts attempts = new ProcessingAttempts(directory, Clock.systemUTC());
        attempts.begin("Mail1", 2, Optional.empty());
        attempts.clear("Mail1");
        assertThat(attempts.previous("Mail1")).isEqualTo(ProcessingAttempts.Record.NONE);
        assertThat(directory.toFile().list()).isEmpty();
    }

    @Test
    void theLastErrorIsKeptByTheNextAttemptUntilItFailsOtherwise() {
        ProcessingAttempts attempts = new ProcessingAttempts(directory, Clock.systemUTC());
        attempts.begin("Mail1", 1, Optional.empty());
        attempts.failed("Mail1", 1, "java.lang.StackOverflowError\n\tat x");
        attempts.begin("Mail1", 2, attempts.previous("Mail1").lastError());

        assertThat(attempts.previous("Mail1")).isEqualTo(new ProcessingAttempts.Record(2, Optional.of("java.lang.StackOverflowError at x")));
    }

    @Test
    void longErrorsAreTruncated() {
        ProcessingAttempts attempts = new ProcessingAttempts(directory, Clock.systemUTC());
        attempts.failed("Mail1", 1, "x".repeat(10_000));
        assertThat(attempts.previous("Mail1").lastError().orElseThrow()).hasSize(503).endsWith("...");
    }

    @Test
    void anyMailNameIsAFileNameInTheDirectory() {
        ProcessingAttempts attempts = new ProcessingAttempts(directory, Clock.systemUTC());
        String hostile = "../../etc/passwd\u0000/" + "é".repeat(1000);
        attempts.begin(hostile, 1, Optional.empty());
        assertThat(attempts.previous(hostile).attempts()).isEqualTo(1);
        assertThat(attempts.fileOf(hostile).getParent()).isEqualTo(directory);
        assertThat(directory.toFile().list()).hasSize(1);
    }

    @Test
    void aGarbledCountIsOneAttempt() throws Exception {
        ProcessingAttempts attempts = new ProcessingAttempts(directory, Clock.systemUTC());
        Files.writeString(attempts.fileOf("Mail1"), "attempts=many\n");
        assertThat(attempts.previous("Mail1").attempts()).isEqualTo(1);
    }

    @Test
    void onlyStaleCountsAreRemoved() {
        Instant now = Instant.parse("2025-01-10T00:00:00Z");
        new ProcessingAttempts(directory, Clock.fixed(now.minus(Duration.ofDays(8)), ZoneOffset.UTC)).begin("Old", 1, Optional.empty());
        ProcessingAttempts attempts = new ProcessingAttempts(directory, Clock.fixed(now, ZoneOffset.UTC));
        attempts.begin("Recent", 1, Optional.empty());

        assertThat(attempts.removeOlderThan(Duration.ofDays(7))).isEqualTo(1);
        assertThat(attempts.previous("Old")).isEqualTo(ProcessingAttempts.Record.NONE);
        assertThat(attempts.previous("Recent").attempts()).isEqualTo(1);
    }
}
