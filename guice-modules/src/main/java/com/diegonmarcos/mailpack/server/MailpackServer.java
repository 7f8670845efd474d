package com.diegonmarcos.mailpack.server;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.james.GuiceJamesServer;
import org.apache.james.NaiveDelegationStoreModule;
import org.apache.james.mailetcontainer.api.MailetLoader;
import org.apache.james.mailetcontainer.api.MatcherLoader;
import org.apache.james.modules.MailboxModule;
import org.apache.james.modules.MailetProcessingModule;
import org.apache.james.modules.mailbox.DefaultEventModule;
import org.apache.james.modules.mailbox.MemoryDeadLetterModule;
import org.apache.james.modules.protocols.IMAPServerModule;
import org.apache.james.modules.protocols.POP3ServerModule;
import org.apache.james.modules.protocols.ProtocolHandlerModule;
import org.apache.james.modules.protocols.SMTPServerModule;
import org.apache.james.modules.server.DataRoutesModules;
import org.apache.james.modules.server.DefaultProcessorsConfigurationProviderModule;
import org.apache.james.modules.server.InconsistencyQuotasSolvingRoutesModule;
import org.apache.james.modules.server.MailQueueRoutesModule;
import org.apache.james.modules.server.MailRepositoriesRoutesModule;
import org.apache.james.modules.server.MailboxRoutesModule;
import org.apache.james.modules.server.NoJwtModule;
import org.apache.james.modules.server.RawPostDequeueDecoratorModule;
import org.apache.james.modules.server.ReIndexingModule;
import org.apache.james.modules.server.SieveRoutesModule;
import org.apache.james.modules.server.TaskManagerModule;
import org.apache.james.modules.server.WebAdminReIndexingTaskSerializationModule;
import org.apache.james.modules.server.WebAdminServerModule;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.server.core.InternetHeadersInputStream;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.apache.james.utils.GuiceProbe;
import org.apache.james.utils.PropertiesProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.modules.ActiveMqQueueModule;
import com.diegonmarcos.mailpack.modules.JpaMailboxModule;
import com.diegonmarcos.mailpack.modules.JpaPersistenceModule;
import com.diegonmarcos.mailpack.modules.ShippedAliasesModule;
import com.diegonmarcos.mailpack.modules.dkim.DkimModule;
import com.diegonmarcos.mailpack.modules.dmarc.DmarcModule;
import com.diegonmarcos.mailpack.modules.dns.DnsModule;
import com.diegonmarcos.mailpack.modules.imap.ImapConformanceModule;
import com.diegonmarcos.mailpack.modules.imap.ImapLimitsModule;
import com.diegonmarcos.mailpack.modules.ratelimit.RateLimitModule;
import com.diegonmarcos.mailpack.modules.routing.RoutingModule;
import com.diegonmarcos.mailpack.modules.scan.ScanModule;
import com.diegonmarcos.mailpack.modules.smtp.SmtpCommandsModule;
import com.diegonmarcos.mailpack.modules.smtp.SmtpModule;
import com.diegonmarcos.mailpack.modules.spool.SpoolModule;
import com.diegonmarcos.mailpack.modules.spool.StartGate;
import com.diegonmarcos.mailpack.modules.storage.FreeSpaceModule;
import com.diegonmarcos.mailpack.modules.webadmin.WebAdminExposureModule;
import com.google.common.collect.Maps;
import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;

/**
 * The persistent single-node mailpack server: James' protocol servers and mailet container over a
 * JPA store (Derby by default), a Lucene index and an embedded ActiveMQ queue, all under one working
 * directory ({@code conf/}, {@code var/}).
 */
public final class MailpackServer {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailpackServer.class);

    public static final String TLS_CERT = "MAILPACK_TLS_CERT";
    public static final String TLS_KEY = "MAILPACK_TLS_KEY";
    public static final String HOSTNAME = "MAILPACK_HOSTNAME";
    static final String DEFAULT_HOSTNAME = "mail.diegonmarcos.com";
    static final String SELF_SIGNED_CERT = "var/tls/self-signed-cert.pem";
    static final String SELF_SIGNED_KEY = "var/tls/self-signed-key.pem";
    public static final String WEBADMIN_DIRECTORY = "var/webadmin";

    private static final Module PROTOCOLS = Modules.override(Modules.combine(
            new SMTPServerModule(),
            new IMAPServerModule(),
            new POP3ServerModule(),
            new ProtocolHandlerModule(),
            new SmtpCommandsModule()))
        .with(new SmtpModule());

    private static final Module WEBADMIN = Modules.combine(
        new WebAdminServerModule(),
        new DataRoutesModules(),
        new MailboxRoutesModule(),
        new InconsistencyQuotasSolvingRoutesModule(),
        new MailQueueRoutesModule(),
        new MailRepositoriesRoutesModule(),
        new ReIndexingModule(),
        new SieveRoutesModule(),
        new WebAdminReIndexingTaskSerializationModule(),
        new WebAdminExposureModule());

    private static final Module STORAGE = Modules.combine(
        new JpaPersistenceModule(),
        new JpaMailboxModule(),
        new ActiveMqQueueModule(),
        new MailboxModule(),
        new DefaultEventModule(),
        new MemoryDeadLetterModule(),
        new NaiveDelegationStoreModule(),
        new ShippedAliasesModule(),
        new RoutingModule(),
        new DnsModule(),
        new DkimModule(),
        new DmarcModule(),
        new RateLimitModule(),
        new ScanModule(),
        new FreeSpaceModule());

    private static final Module CONTAINER = Modules.combine(
        new MailetProcessingModule(),
        new DefaultProcessorsConfigurationProviderModule(),
        new RawPostDequeueDecoratorModule(),
        new SpoolModule(),
        new TaskManagerModule(),
        new NoJwtModule());

    private MailpackServer() {
    }

    /**
     * James' {@code InternetHeadersInputStream} writes 8-bit header bytes as {@code ?}; ours, in this jar,
     * shadows it only while this jar comes first on the class path. Refuse to start otherwise.
     */
    static void requireOwnHeaderStream() {
        URL ours = MailpackServer.class.getProtectionDomain().getCodeSource().getLocation();
        URL loaded = InternetHeadersInputStream.class.getProtectionDomain().getCodeSource().getLocation();
        if (!ours.equals(loaded)) {
            throw new IllegalStateException(InternetHeadersInputStream.class.getName() + " is loaded from " + loaded
                + ", not from " + ours + ": put mailpack-server.jar first on the class path"
                + " (James' own class would store 8-bit header bytes as '?')");
        }
    }

    /**
     * Prepares the working directory (self-signed certificate and webadmin token on first start) and
     * assembles the server. Nothing listens until {@link GuiceJamesServer#start()}.
     *
     * @param home the working directory holding {@code conf/}; {@code var/} is created beside it
     * @param overrides variables that win over the environment (flags, test harness)
     */
    public static GuiceJamesServer create(File home, Map<String, String> overrides) throws IOException, GeneralSecurityException {
        return create(home, overrides, List.of());
    }

    /**
     * As {@link #create(File, Map)}, with Guice modules that override bindings last (tests use it to
     * replace a {@link Clock}, e.g. the one named {@link RateLimitModule#CLOCK}).
     */
    public static GuiceJamesServer create(File home, Map<String, String> overrides, List<Module> bindingOverrides)
            throws IOException, GeneralSecurityException {
        ClientRenegotiation.refuse();
        DerbyLockTimeouts.detectDeadlocksQuickly();
        requireOwnHeaderStream();
        File absoluteHome = home.getAbsoluteFile();
        File confDirectory = new File(absoluteHome, "conf");
        if (!confDirectory.isDirectory()) {
            throw new IOException("no conf/ directory in " + absoluteHome + " (copy the shipped conf/ there, or start from the project directory)");
        }
        ConfVariables variables = ConfVariables.resolve(absoluteHome.getPath(), overrides,
            Maps.fromProperties(System.getProperties()), System.getenv(), readMailpackProperties(confDirectory));
        variables = prepareWorkingDirectory(absoluteHome.toPath(), variables, Clock.systemUTC());

        Configuration configuration = Configuration.builder().workingDirectory(absoluteHome).build();
        FileSystemImpl fileSystem = new FileSystemImpl(configuration.directories());
        ConfVariables resolved = variables;
        Module mailpackConfiguration = new AbstractModule() {
            @Override
            protected void configure() {
                bind(ConfVariables.class).toInstance(resolved);
                bind(ConfigurationProvider.class).toInstance(new MailpackConfigurationProvider(confDirectory, fileSystem, resolved));
                bind(PropertiesProvider.class).toInstance(new MailpackPropertiesProvider(confDirectory, fileSystem, resolved));
                bind(MailetLoader.class).to(ConfigNamingMailetLoader.class);
                bind(MatcherLoader.class).to(ConfigNamingMailetLoader.Matchers.class);
                Multibinder.newSetBinder(binder(), GuiceProbe.class).addBinding().to(ListenersProbe.class);
            }
        };
        return GatedJamesServer.forConfiguration(configuration, new StartGate())
            .combineWith(CONTAINER, STORAGE, PROTOCOLS, WEBADMIN)
            .overrideWith(mailpackConfiguration, Modules.override(RateLimitModule.IMAP).with(FreeSpaceModule.IMAP), new ImapLimitsModule(),
                new ImapConformanceModule(), WebAdminExposureModule.HEALTHCHECK,
                SpoolModule.PROCESSOR, Modules.combine(bindingOverrides));
    }

    /** First-start work: TLS material when none is configured, the webadmin key pair and token. */
    static ConfVariables prepareWorkingDirectory(Path home, ConfVariables variables, Clock clock) throws IOException, GeneralSecurityException {
        Map<String, String> derived = new HashMap<>();
        boolean hasCert = variables.get(TLS_CERT).isPresent();
        boolean hasKey = variables.get(TLS_KEY).isPresent();
        if (hasCert != hasKey) {
            throw new IllegalArgumentException("set both " + TLS_CERT + " and " + TLS_KEY + " (PEM files), or neither for a self-signed certificate");
        }
        if (!hasCert) {
            Path cert = home.resolve(SELF_SIGNED_CERT);
            Path key = home.resolve(SELF_SIGNED_KEY);
            String hostname = variables.get(HOSTNAME).orElse(DEFAULT_HOSTNAME);
            if (new SelfSignedCertificate(clock).ensure(cert, key, hostname)) {
                LOGGER.warn("*** No TLS certificate configured: generated a SELF-SIGNED certificate for {} in {}. "
                    + "Clients will warn. Set {} and {} to your Let's Encrypt fullchain.pem and privkey.pem. ***",
                    hostname, cert.getParent(), TLS_CERT, TLS_KEY);
            } else {
                LOGGER.warn("*** Using the SELF-SIGNED certificate in {} (set {} and {} for a real one) ***", cert.getParent(), TLS_CERT, TLS_KEY);
            }
            derived.put(TLS_CERT, cert.toString());
            derived.put(TLS_KEY, key.toString());
        }
        if (new AdminToken(clock).ensure(home.resolve(WEBADMIN_DIRECTORY))) {
            LOGGER.info("Generated the webadmin JWT key pair and admin token in {}", home.resolve(WEBADMIN_DIRECTORY));
        }
        return variables.withDefaults(derived);
    }

    private static Map<String, String> readMailpackProperties(File confDirectory) throws IOException {
        File file = new File(confDirectory, "mailpack.properties");
        if (!file.isFile()) {
            return Map.of();
        }
        Properties properties = new Properties();
        try (InputStream in = new FileInputStream(file)) {
            properties.load(in);
        }
        return Maps.fromProperties(properties);
    }
}
