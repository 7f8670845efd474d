package com.diegonmarcos.mailpack.modules.dns;

import javax.inject.Singleton;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.dns.DnsJavaClient;
import com.diegonmarcos.mailpack.dns.ResolverSettings;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/**
 * The resolver mail authentication uses ({@link DnsClient}), from {@code conf/dnsresolver.xml}:
 * {@code servers} (comma-separated IP[:port], empty for /etc/resolv.conf), {@code timeout},
 * {@code retries}. James' own DNSService (MX lookups for delivery) is configured separately in
 * {@code conf/dnsservice.xml}.
 */
public class DnsModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(DnsModule.class);
    static final String FILE = "conf/dnsresolver.xml";

    @Provides
    @Singleton
    DnsClient dnsClient(ConfigurationProvider configurations) throws ConfigurationException {
        HierarchicalConfiguration<ImmutableNode> conf = configurations.getConfiguration("dnsresolver");
        ResolverSettings settings;
        try {
            settings = ResolverSettings.parse(conf.getString("servers", ""), conf.getString("timeout", "5s"),
                conf.getString("retries", String.valueOf(ResolverSettings.DEFAULT_RETRIES)));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": " + e.getMessage(), e);
        }
        LOGGER.info("DNS for mail authentication: {}", settings);
        return DnsJavaClient.create(settings);
    }
}
