package com.diegonmarcos.mailpack.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the file systems holding the server's data ({@code var/}: database, queue, message bodies,
 * search index) have room for more mail, so new mail can be refused (SMTP {@code 452 4.3.1}, IMAP
 * APPEND {@code NO}) <em>before</em> a write fails half-way in the database or the queue journal.
 *
 * <p>Low while the smallest free space (usable by this process) among the watched file systems is under
 * the minimum; back to normal once it is at least the minimum plus a tenth of it (so a disk hovering at
 * the threshold does not flap). Each change of state is one WARN line. The free space is read
 * ({@code statvfs}) by {@link #refresh()}, every second once {@link #start()}ed: a command only reads
 * the last result.
 */
public final class FreeSpace implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(FreeSpace.class);
    public static final String VARIABLE = "MAILPACK_MIN_FREE_MB";
    public static final long DEFAULT_MB = 256;
    static final long MB = 1024L * 1024;

    private final Map<FileStore, Path> stores;
    private final long minimumBytes;
    private final long resumeBytes;
    private ScheduledExecutorService timer;
    private volatile long freeBytes = Long.MAX_VALUE;
    private volatile Path tightest;
    private volatile boolean low;

    /**
     * @param directories what to watch; one that does not exist yet is watched through its nearest existing parent
     * @param minimumBytes under this, mail is refused; 0 never refuses
     */
    public FreeSpace(List<Path> directories, long minimumBytes) {
        if (minimumBytes < 0) {
            throw new IllegalArgumentException("minimum free space must not be negative: " + minimumBytes);
        }
        this.minimumBytes = minimumBytes;
        this.resumeBytes = minimumBytes + minimumBytes / 10;
        this.stores = new LinkedHashMap<>();
        for (Path directory : directories) {
            Path existing = existingAncestor(directory.toAbsolutePath());
            try {
                stores.putIfAbsent(Files.getFileStore(existing), existing);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the file system of " + existing, e);
            }
        }
        refresh();
    }

    /** {@value #VARIABLE}: a whole number of MiB, 0 to switch the check off; unset: {@value #DEFAULT_MB}. */
    public static long minimumBytes(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_MB * MB;
        }
        try {
            long mb = Long.parseLong(value.trim());
            if (mb >= 0 && mb < Long.MAX_VALUE / MB) {
                return mb * MB;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(VARIABLE + " must be a whole number of MiB (0 switches the check off), not '" + value + "'");
    }

    private static Path existingAncestor(Path path) {
        Path candidate = path;
        while (candidate != null && !Files.exists(candidate)) {
            candidate = candidate.getParent();
        }
        if (candidate == null) {
            throw new IllegalArgumentException("no existing directory above " + path);
        }
        return candidate;
    }

    /** Reads the free space of every watched file system now and updates the state. */
    public synchronized void refresh() {
        long smallest = Long.MAX_VALUE;
        Path where = null;
        for (Map.Entry<FileStore, Path> store : stores.entrySet()) {
            long usable;
            try {
                usable = store.getKey().getUsableSpace();
            } catch (IOException e) {
                LOGGER.warn("Cannot read the free space of {}: {}", store.getValue(), e.toString());
                continue;
            }
            if (usable < smallest) {
                smallest = usable;
                where = store.getValue();
            }
        }
        freeBytes = smallest;
        tightest = where;
        if (minimumBytes == 0) {
            return;
        }
        if (!low && smallest < minimumBytes) {
            low = true;
            LOGGER.warn("Disk space low: {} MiB free in {}, under {}={}: new mail is refused (SMTP 452 4.3.1, IMAP APPEND/COPY NO) until {} MiB are free",
                smallest / MB, where, VARIABLE, minimumBytes / MB, divideUp(resumeBytes));
        } else if (low && smallest >= resumeBytes) {
            low = false;
            LOGGER.warn("Disk space back: {} MiB free in {}: new mail is accepted again", smallest / MB, where);
        }
    }

    private static long divideUp(long bytes) {
        return (bytes + MB - 1) / MB;
    }

    /** Refreshes every {@code interval} on a daemon thread until {@link #close()}. */
    public synchronized FreeSpace start(Duration interval) {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "mailpack-free-space");
                thread.setDaemon(true);
                return thread;
            });
            timer.scheduleWithFixedDelay(this::refresh, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Whether new mail must be refused (as of the last {@link #refresh()}). */
    public boolean isLow() {
        return low;
    }

    public long freeBytes() {
        return freeBytes;
    }

    public long minimumBytes() {
        return minimumBytes;
    }

    /** The watched directory with the least free space. */
    public Path tightest() {
        return tightest;
    }

    /** One line for a health check or a log: free space, where, and the minimum. */
    public String describe() {
        return (freeBytes / MB) + " MiB free in " + tightest + " (" + VARIABLE + "=" + (minimumBytes / MB) + ")";
    }

    /** The directories watched, one a file system. */
    public List<Path> watched() {
        return new ArrayList<>(stores.values());
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
