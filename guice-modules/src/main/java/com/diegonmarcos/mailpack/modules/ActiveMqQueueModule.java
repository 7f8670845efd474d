package com.diegonmarcos.mailpack.modules;

import java.io.FileNotFoundException;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.jms.ConnectionFactory;

import org.apache.activemq.store.PersistenceAdapter;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQConfiguration;
import org.apache.james.queue.activemq.ActiveMQHealthCheck;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollector;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollectorImpl;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;

import com.diegonmarcos.mailpack.modules.spool.StartGate;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * The mail queue: an embedded ActiveMQ broker ({@link QueueBroker}, in-JVM transport only)
 * persisting to KahaDB under {@code var/store/activemq}, so mail accepted with 250 survives a
 * restart or a kill.
 * Optional {@code conf/activemq.properties} tunes its metrics.
 */
public class ActiveMqQueueModule extends AbstractModule {

    @Override
    protected void configure() {
        bind(KahaDBPersistenceAdapter.class).in(Scopes.SINGLETON);
        bind(PersistenceAdapter.class).to(KahaDBPersistenceAdapter.class);
        bind(QueueBroker.class).in(Scopes.SINGLETON);
        bind(QueueFactory.class).in(Scopes.SINGLETON);
        bind(ActiveMQMailQueueFactory.class).to(QueueFactory.class);
        bind(ActiveMQMetricCollectorImpl.class).in(Scopes.SINGLETON);
        bind(ActiveMQMetricCollector.class).to(ActiveMQMetricCollectorImpl.class);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(ActiveMQHealthCheck.class);
    }

    @Provides
    @Singleton
    ConnectionFactory connectionFactory(QueueBroker broker) {
        return broker.connectionFactory();
    }

    /**
     * James' ActiveMQ queue factory on {@link QueueBroker}'s connections, making
     * {@link PooledProducerMailQueue}s. Built by Guice (not by a provider method), so that its
     * {@code @PreDestroy} closes the queues and unregisters their MBeans when the server stops.
     */
    @Singleton
    static class QueueFactory extends ActiveMQMailQueueFactory {
        private final ActiveMQMetricCollector metrics;
        private final StartGate gate;

        @Inject
        QueueFactory(ConnectionFactory connectionFactory, MailQueueItemDecoratorFactory decorators,
                     MetricFactory metricFactory, GaugeRegistry gaugeRegistry, ActiveMQMetricCollector metrics, StartGate gate) {
            super(connectionFactory, decorators, metricFactory, gaugeRegistry, metrics);
            this.metrics = metrics;
            this.gate = gate;
        }

        @Override
        protected ManageableMailQueue createCacheableMailQueue(MailQueueName name) {
            metrics.collectQueueStatistics(name);
            return new PooledProducerMailQueue(connectionFactory, mailQueueItemDecoratorFactory, name, metricFactory, gaugeRegistry, gate);
        }
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> manageableQueues(ActiveMQMailQueueFactory factory) {
        factory.setUseJMX(true); // sizes via the broker statistics plugin; no JMX port is opened
        factory.init();
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<?> anyQueues(MailQueueFactory<? extends ManageableMailQueue> factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> queues(MailQueueFactory<? extends ManageableMailQueue> factory) {
        return factory;
    }

    @Provides
    @Singleton
    ActiveMQConfiguration configuration(PropertiesProvider properties) throws ConfigurationException {
        try {
            return ActiveMQConfiguration.from(properties.getConfiguration("activemq"));
        } catch (FileNotFoundException e) {
            return ActiveMQConfiguration.getDefault();
        }
    }

    @ProvidesIntoSet
    InitializationOperation startMetrics(ActiveMQMetricCollector collector) {
        return InitilizationOperationBuilder.forClass(ActiveMQMetricCollector.class).init(collector::start);
    }
}
