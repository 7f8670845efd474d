package com.diegonmarcos.mailpack.modules.dmarc;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.dkim.DkimResult;
import com.diegonmarcos.mailpack.dmarc.AggregateRecord;
import com.diegonmarcos.mailpack.dmarc.DmarcOutcome;
import com.diegonmarcos.mailpack.smtp.DmarcCheck;
import com.diegonmarcos.mailpack.spf.SpfVerdict;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The evaluations aggregate reports are made of, on disk under {@code var/dmarc/}: one JSON line per
 * message and policy domain in {@code records/<UTC day>.jsonl}, and one marker file per report
 * sent, {@code sent/<day>/<policy domain>}, created atomically before sending, so a report is never
 * sent twice (a crash between the marker and the hand-over to the queue loses that report).
 * Writing a record never fails the SMTP transaction: an I/O error is logged (WARN).
 */
public class DmarcReportStore implements DmarcCheck.DmarcObserver {
    private static final Logger LOGGER = LoggerFactory.getLogger(DmarcReportStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path records;
    private final Path sent;

    public DmarcReportStore(Path directory) throws IOException {
        this.records = directory.resolve("records");
        this.sent = directory.resolve("sent");
        Files.createDirectories(records);
        Files.createDirectories(sent);
    }

    @Override
    public void evaluated(InetAddress ip, SpfVerdict spf, List<DkimResult> dkim, DmarcOutcome outcome, Instant when) {
        List<AggregateRecord> found = AggregateRecord.of(ip, spf, dkim, outcome, when);
        if (found.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        try {
            for (AggregateRecord record : found) {
                lines.append(JSON.writeValueAsString(record)).append('\n');
            }
            append(LocalDate.ofInstant(when, ZoneOffset.UTC), lines.toString());
        } catch (IOException e) {
            LOGGER.warn("Cannot record a DMARC evaluation for the aggregate reports: {}", e.getMessage(), e);
        }
    }

    private synchronized void append(LocalDate day, String lines) throws IOException {
        Files.writeString(records.resolve(day + ".jsonl"), lines, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** The days that have records, oldest first. */
    public synchronized List<LocalDate> days() throws IOException {
        List<LocalDate> days = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(records, "*.jsonl")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                try {
                    days.add(LocalDate.parse(name.substring(0, name.length() - ".jsonl".length())));
                } catch (RuntimeException e) {
                    LOGGER.warn("Ignoring {}: not a day's DMARC records", file);
                }
            }
        }
        days.sort(null);
        return days;
    }

    /** One day's records; lines that do not parse are skipped (WARN). */
    public synchronized List<AggregateRecord> records(LocalDate day) throws IOException {
        Path file = records.resolve(day + ".jsonl");
        List<AggregateRecord> all = new ArrayList<>();
        if (!Files.exists(file)) {
            return all;
        }
        int line = 0;
        for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            try {
                all.add(JSON.readValue(text, AggregateRecord.class));
            } catch (IOException e) {
                LOGGER.warn("{} line {}: unreadable DMARC record skipped: {}", file, line, e.getMessage());
            }
        }
        return all;
    }

    /** @return false when the report was already marked (sent, or being sent) */
    public boolean markSent(LocalDate day, String policyDomain) throws IOException {
        Path directory = sent.resolve(day.toString());
        Files.createDirectories(directory);
        try {
            Files.createFile(directory.resolve(policyDomain));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    public boolean isSent(LocalDate day, String policyDomain) {
        return Files.exists(sent.resolve(day.toString()).resolve(policyDomain));
    }

    /** Forgets a marker whose report could not be handed over (so the next run tries again). */
    public void unmark(LocalDate day, String policyDomain) throws IOException {
        Files.deleteIfExists(sent.resolve(day.toString()).resolve(policyDomain));
    }

    /** Deletes records and markers of days before {@code first}. */
    public synchronized void purgeBefore(LocalDate first) throws IOException {
        for (LocalDate day : days()) {
            if (day.isBefore(first)) {
                Files.deleteIfExists(records.resolve(day + ".jsonl"));
                FileUtils.deleteDirectory(sent.resolve(day.toString()).toFile());
            }
        }
    }
}
