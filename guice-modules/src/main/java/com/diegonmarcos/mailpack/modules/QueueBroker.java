package com.diegonmarcos.mailpack.modules;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;
import javax.jms.ConnectionFactory;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQPrefetchPolicy;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.jmx.ManagementContext;
import org.apache.activemq.plugin.StatisticsBrokerPlugin;
import org.apache.activemq.store.PersistenceAdapter;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.james.filesystem.api.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded ActiveMQ broker of the mail queue, reachable only from inside the JVM.
 *
 * <p>James' {@code EmbeddedActiveMQ} also opens an OpenWire connector on {@code tcp://localhost}
 * (a random port): any local process could connect to the broker, without credentials, and read,
 * inject or drop queued mail. Nothing in mailpack uses it, so this broker has only the in-JVM
 * {@code vm://} transport. (Advisory topics stay on: with them off, a spooler waiting on the queue
 * sometimes missed a new mail for tens of seconds, which ClamAvScanIntegrationTest caught.)
 *
 * <p>Everything else is as James sets it up, on the same directories, so an existing
 * {@code var/store/activemq} is used as it is: KahaDB under {@code var/store/activemq/brokers/KahaDB},
 * the content of each queued mail under {@code var/store/activemq/blob-transfer}, synced to disk
 * before the mail is acknowledged ({@link DurableBlobTransferPolicy}), the statistics plugin (queue sizes
 * and health check), no prefetch (a spooler thread takes one mail at a time), no Java
 * deserialisation of untrusted classes.
 *
 * <p>A start after a full disk or a kill must not fail: KahaDB checks the journal's checksums and skips
 * records that were cut off ({@code checkForCorruptJournalFiles}), rebuilds an index it cannot read
 * from the journal (keeping the old one aside, {@code archiveCorruptedIndex}), and starts when a
 * journal file is missing ({@code ignoreMissingJournalfiles}): the mail in a record that was never
 * completely written was never answered 250. And a broker that stops while the server runs (its
 * IOException handler stops it when the disk fails) ends the JVM ({@link ServerExit}), so that the
 * container restarts instead of answering 451 to every message for ever.
 */
@Singleton
public class QueueBroker {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueBroker.class);
    static final String BROKER_NAME = "james";
    private static final String BROKERS_DIRECTORY = "file://var/store/activemq/brokers";
    private static final String KAHADB_DIRECTORY = "file://var/store/activemq/brokers/KahaDB";
    private static final String BLOB_DIRECTORY = "file://var/store/activemq/blob-transfer";

    static final int DISK_USAGE_CHECK_MILLIS = 60_000;

    private final BrokerService broker;
    private final ActiveMQConnectionFactory connectionFactory;
    private volatile boolean stopping;

    @Inject
    public QueueBroker(FileSystem fileSystem, PersistenceAdapter persistence) throws Exception {
        persistence.setDirectory(fileSystem.getFile(KAHADB_DIRECTORY));
        if (persistence instanceof KahaDBPersistenceAdapter) {
            recoverWhateverIsReadable((KahaDBPersistenceAdapter) persistence);
        }
        broker = new BrokerService();
        broker.setBrokerName(BROKER_NAME);
        broker.setBrokerId("broker");
        broker.setPersistent(true);
        broker.setPersistenceAdapter(persistence);
        broker.setDataDirectoryFile(fileSystem.getFile(BROKERS_DIRECTORY));
        broker.setUseJmx(false);
        ManagementContext management = new ManagementContext();
        management.setCreateConnector(false);
        broker.setManagementContext(management);
        broker.setUseShutdownHook(false); // stopped by the server, after the spoolers
        broker.setSchedulerSupport(false);
        broker.setPlugins(new BrokerPlugin[] {new StatisticsBrokerPlugin()});
        broker.setEnableStatistics(true);
        // The broker caps its store at the free disk space it sees at start: checked again every minute, so a
        // start on a nearly full disk does not cap the queue for ever; at the cap a sender fails (451) instead
        // of waiting without end for room in the queue
        broker.setSchedulePeriodForDiskUsageCheck(DISK_USAGE_CHECK_MILLIS);
        broker.getSystemUsage().setSendFailIfNoSpace(true);
        broker.addShutdownHook(() -> {
            if (!stopping) {
                ServerExit.now("the mail queue broker stopped by itself (see the broker's last error above, often a full or failing disk)");
            }
        });
        broker.start(); // no transport connector: vm:// only
        LOGGER.info("Mail queue broker started (KahaDB in {}, in-JVM transport only)", KAHADB_DIRECTORY);

        connectionFactory = new ActiveMQConnectionFactory("vm://" + BROKER_NAME + "?create=false");
        connectionFactory.setTrustAllPackages(false);
        connectionFactory.setBlobTransferPolicy(blobTransferPolicy(fileSystem));
        ActiveMQPrefetchPolicy prefetch = new ActiveMQPrefetchPolicy();
        prefetch.setQueuePrefetch(0);
        prefetch.setTopicPrefetch(0);
        connectionFactory.setPrefetchPolicy(prefetch);
    }

    private static void recoverWhateverIsReadable(KahaDBPersistenceAdapter kahaDb) {
        kahaDb.setChecksumJournalFiles(true);
        kahaDb.setCheckForCorruptJournalFiles(true);
        kahaDb.setArchiveCorruptedIndex(true);
        kahaDb.setIgnoreMissingJournalfiles(true);
    }

    private static DurableBlobTransferPolicy blobTransferPolicy(FileSystem fileSystem) {
        DurableBlobTransferPolicy policy = new DurableBlobTransferPolicy(fileSystem);
        policy.setDefaultUploadUrl(BLOB_DIRECTORY);
        return policy;
    }

    public ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    @PreDestroy
    public void stop() throws Exception {
        stopping = true;
        broker.stop();
    }
}
