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
 */
@Singleton
public class QueueBroker {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueBroker.class);
    static final String BROKER_NAME = "james";
    private static final String BROKERS_DIRECTORY = "file://var/store/activemq/brokers";
    private static final String KAHADB_DIRECTORY = "file://var/store/activemq/brokers/KahaDB";
    private static final String BLOB_DIRECTORY = "file://var/store/activemq/blob-transfer";

    private final BrokerService broker;
    private final ActiveMQConnectionFactory connectionFactory;

    @Inject
    public QueueBroker(FileSystem fileSystem, PersistenceAdapter persistence) throws Exception {
        persistence.setDirectory(fileSystem.getFile(KAHADB_DIRECTORY));
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
        broker.stop();
    }
}
