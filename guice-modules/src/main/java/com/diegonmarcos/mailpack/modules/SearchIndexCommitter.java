package com.diegonmarcos.mailpack.modules;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.lifecycle.api.Startable;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the Lucene search index every {@link #INTERVAL}. James' index only commits when it is
 * closed, so after a crash (kill -9, power loss) IMAP SEARCH missed every message delivered since the
 * last clean stop, although the messages themselves were safe in the database. Now at most the last
 * interval is missing, and a reindex over webadmin ({@code POST /mailboxes?task=reIndex}) repairs it.
 */
@Singleton
public class SearchIndexCommitter implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(SearchIndexCommitter.class);
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final LuceneMessageSearchIndex index;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "search-index-commit");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public SearchIndexCommitter(LuceneMessageSearchIndex index) {
        this.index = index;
    }

    public void start() {
        scheduler.scheduleWithFixedDelay(this::commit, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void commit() {
        try {
            index.commit();
        } catch (IOException | RuntimeException e) {
            LOGGER.warn("Cannot commit the search index; will retry in {}", INTERVAL, e);
        }
    }

    @PreDestroy
    public void stop() {
        scheduler.shutdown();
        commit();
    }
}
