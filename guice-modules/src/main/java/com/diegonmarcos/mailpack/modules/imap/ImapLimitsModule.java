package com.diegonmarcos.mailpack.modules.imap;

import javax.inject.Named;
import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServerFactory;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/**
 * IMAP listeners with mailpack's limits on hostile input ({@link MailpackImapServer}): replaces the
 * {@link IMAPServerFactory} of James' {@code IMAPServerModule}, so it goes among the server's overrides.
 */
public class ImapLimitsModule extends AbstractModule {
    @Provides
    @Singleton
    IMAPServerFactory serverFactory(FileSystem fileSystem, Provider<ImapDecoder> decoder, Provider<ImapEncoder> encoder,
                                    @Named(ImapConformanceModule.CONFORMING) Provider<ImapProcessor> processor, MetricFactory metricFactory, GaugeRegistry gaugeRegistry) {
        return new MailpackImapServerFactory(fileSystem, decoder, encoder, processor, metricFactory, gaugeRegistry);
    }
}
