package com.diegonmarcos.mailpack.modules.spool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many times the spooler has started processing a mail, kept in one small file per mail (named
 * by the SHA-256 of the mail name) so that the count survives a JVM that dies in the middle: an
 * {@code OutOfMemoryError} with {@code -XX:+ExitOnOutOfMemoryError}, a {@code kill -9}, a crash.
 *
 * <p>{@link #begin} writes the file before the mail is processed, {@link #clear} removes it once
 * processing returned; a file left behind is an attempt that never finished. Writes are atomic
 * (temporary file, then rename), so a crash while writing leaves the previous count. They are not
 * synced: the count survives the death of the process, not a power cut (then the mail gets a few
 * more tries). Plain object, knows nothing of {@code Mail}; the clock dates stale files.
 */
public final class ProcessingAttempts {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProcessingAttempts.class);
    private static final String SUFFIX = ".attempts";
    private static final int MAX_ERROR_LENGTH = 500;

    /** A mail's count so far: attempts started, and what the last failed one threw, if it threw. */
    public record Record(int attempts, Optional<String> lastError) {
        public static final Record NONE = new Record(0, Optional.empty());

        /** The last error, or what an attempt with none recorded means: the process died during it. */
        public String lastErrorOrCrash() {
            return lastError.orElse("the server process ended while processing it (out of memory, killed or crashed)");
        }
    }

    private final Path directory;
    private final Clock clock;

    public ProcessingAttempts(Path directory, Clock clock) {
        this.directory = directory;
        this.clock = clock;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }

    /** The record of {@code mailName}, {@link Record#NONE} when it was never tried or finished. */
    public Record previous(String mailName) {
        Path file = fileOf(mailName);
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            return Record.NONE;
        } catch (IOException e) {
            LOGGER.warn("Unreadable attempt count {} of mail {}: counted as one attempt", file, mailName, e);
            return new Record(1, Optional.empty());
        }
        int attempts;
        try {
            attempts = Math.max(1, Integer.parseInt(properties.getProperty("attempts", "1").trim()));
        } catch (NumberFormatException e) {
            attempts = 1;
        }
        return new Record(attempts, Optional.ofNullable(properties.getProperty("lastError")));
    }

    /**
     * Records that attempt number {@code attempt} of {@code mailName} starts now, keeping the last
     * error of the previous ones (a crash during this attempt leaves that error as the last known).
     */
    public void begin(String mailName, int attempt, Optional<String> lastError) {
        write(mailName, attempt, lastError);
    }

    /** Records what the current attempt threw. */
    public void failed(String mailName, int attempt, String error) {
        write(mailName, attempt, Optional.of(error));
    }

    /** Forgets {@code mailName}: its last attempt finished (processed, or moved away). */
    public void clear(String mailName) {
        try {
            Files.deleteIfExists(fileOf(mailName));
        } catch (IOException e) {
            LOGGER.warn("Cannot remove the attempt count of mail {}", mailName, e);
        }
    }

    /**
     * Removes counts older than {@code age}: mail that the spool no longer holds (an admin cleared the
     * queue after a crash). A mail is in the spool for seconds, so an old count is never a live one.
     *
     * @return how many were removed
     */
    public int removeOlderThan(Duration age) {
        Instant limit = clock.instant().minus(age);
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                if (Files.getLastModifiedTime(file).toInstant().isBefore(limit) && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            LOGGER.warn("Cannot list the attempt counts in {}", directory, e);
        }
        return removed;
    }

    private void write(String mailName, int attempt, Optional<String> lastError) {
        Properties properties = new Properties();
        properties.setProperty("mail", mailName);
        properties.setProperty("attempts", Integer.toString(attempt));
        lastError.ifPresent(error -> properties.setProperty("lastError", truncate(error)));
        Path file = fileOf(mailName);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                properties.store(out, null);
            }
            Files.setLastModifiedTime(temporary, FileTime.from(clock.instant()));
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // not counting is safer than not processing: the mail goes on, unguarded
            LOGGER.error("Cannot record attempt {} of mail {} in {}: a crash now would not be counted", attempt, mailName, file, e);
        }
    }

    private static String truncate(String error) {
        String oneLine = error.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_ERROR_LENGTH ? oneLine : oneLine.substring(0, MAX_ERROR_LENGTH) + "...";
    }

    Path fileOf(String mailName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(mailName.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(digest) + SUFFIX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
