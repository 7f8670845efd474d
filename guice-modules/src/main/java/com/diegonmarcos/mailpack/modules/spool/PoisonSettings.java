package com.diegonmarcos.mailpack.modules.spool;

import org.apache.james.mailrepository.api.MailRepositoryUrl;

/**
 * How often the spooler may try one mail, and where a mail that failed that many times is put.
 *
 * @param maxAttempts attempts before the mail is put aside, 1 to {@value #MAX}
 * @param repository the poison mail repository
 */
public record PoisonSettings(int maxAttempts, MailRepositoryUrl repository) {
    public static final int DEFAULT_ATTEMPTS = 3;
    public static final int MAX = 100;
    public static final String DEFAULT_REPOSITORY = "file://var/mail/poison/";

    public PoisonSettings {
        if (maxAttempts < 1 || maxAttempts > MAX) {
            throw new IllegalArgumentException("maxAttempts must be from 1 to " + MAX + ", got " + maxAttempts);
        }
    }

    /** Parses the {@code <spooler>} values; messages name the element, the caller names the file. */
    public static PoisonSettings parse(String maxAttempts, String repository) {
        int attempts;
        try {
            attempts = Integer.parseInt(maxAttempts.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("<spooler><maxAttempts> must be a whole number from 1 to " + MAX
                + " (MAILPACK_MAX_PROCESSING_ATTEMPTS), got '" + maxAttempts + "'");
        }
        if (attempts < 1 || attempts > MAX) {
            throw new IllegalArgumentException("<spooler><maxAttempts> must be a whole number from 1 to " + MAX
                + " (MAILPACK_MAX_PROCESSING_ATTEMPTS), got '" + maxAttempts + "'");
        }
        MailRepositoryUrl url;
        try {
            url = MailRepositoryUrl.from(repository.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("<spooler><poisonRepository> must be a mail repository URL such as "
                + DEFAULT_REPOSITORY + ", got '" + repository + "'");
        }
        return new PoisonSettings(attempts, url);
    }
}
