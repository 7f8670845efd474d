package com.diegonmarcos.mailpack.modules.scan;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import javax.inject.Singleton;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.events.EventListener;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.util.DurationParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.clamav.ClamdClient;
import com.diegonmarcos.mailpack.rspamd.RspamdClient;
import com.diegonmarcos.mailpack.scan.ClamavPolicy;
import com.diegonmarcos.mailpack.scan.FailurePolicy;
import com.diegonmarcos.mailpack.scan.RspamdPolicy;
import com.diegonmarcos.mailpack.scan.Scanning;
import com.google.common.base.Strings;
import com.google.common.collect.ImmutableSet;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;

/**
 * Spam and virus scanning from {@code conf/scan.xml}: the {@link Scanning} the SMTP hook
 * {@code smtp.ScanMessage} uses, the Junk learning listener and the {@code /healthcheck} entries of
 * rspamd and clamd. A scanner without an address ({@code url} / {@code address} empty) is off.
 */
public class ScanModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(ScanModule.class);
    static final String FILE = "conf/scan.xml";
    private static final Set<String> RSPAMD_KEYS = ImmutableSet.of("url", "controllerUrl", "password", "timeout",
        "maxMessageKB", "onFailure", "actions", "outboundRejectScore", "outboundTempFailScore", "learning", "junkFolder");
    private static final Set<String> CLAMAV_KEYS = ImmutableSet.of("address", "timeout", "onFailure", "onInfected", "onTooLarge");

    @Override
    protected void configure() {
        Multibinder<HealthCheck> healthChecks = Multibinder.newSetBinder(binder(), HealthCheck.class);
        healthChecks.addBinding().to(RspamdHealthCheck.class);
        healthChecks.addBinding().to(ClamdHealthCheck.class);
        Multibinder.newSetBinder(binder(), EventListener.GroupEventListener.class).addBinding().to(JunkLearning.class);
    }

    /** Learning settings: whether moves in and out of the Junk folder are fed to rspamd, and its name. */
    public record Learning(boolean enabled, String junkFolder) {
    }

    @Provides
    @Singleton
    Scanning scanning(ConfigurationProvider configurations) throws ConfigurationException {
        HierarchicalConfiguration<ImmutableNode> conf = configurations.getConfiguration("scan");
        try {
            checkKeys(conf, "rspamd", RSPAMD_KEYS);
            checkKeys(conf, "clamav", CLAMAV_KEYS);
            Scanning scanning = new Scanning(rspamd(conf), clamav(conf));
            if (scanning.rspamd().isPresent()) {
                LOGGER.info("rspamd scanning on: {}; {}", scanning.rspamd().get().client().settings(), scanning.rspamd().get().policy());
            } else {
                LOGGER.info("rspamd scanning off ({}: rspamd.url is empty; set MAILPACK_RSPAMD_URL)", FILE);
            }
            if (scanning.clamav().isPresent()) {
                LOGGER.info("ClamAV scanning on: clamd at {}; {}", scanning.clamav().get().client().address(), scanning.clamav().get().policy());
            } else {
                LOGGER.info("ClamAV scanning off ({}: clamav.address is empty; set MAILPACK_CLAMD_ADDRESS)", FILE);
            }
            return scanning;
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": " + e.getMessage(), e);
        }
    }

    @Provides
    @Singleton
    Learning learning(ConfigurationProvider configurations) throws ConfigurationException {
        HierarchicalConfiguration<ImmutableNode> conf = configurations.getConfiguration("scan");
        String folder = conf.getString("rspamd.junkFolder", com.diegonmarcos.mailpack.mailets.FileIntoJunk.DEFAULT_FOLDER).trim();
        if (folder.isEmpty()) {
            throw new ConfigurationException(FILE + ": rspamd.junkFolder must not be empty");
        }
        return new Learning(conf.getBoolean("rspamd.learning", true), folder);
    }

    private static void checkKeys(HierarchicalConfiguration<ImmutableNode> conf, String section, Set<String> known) {
        conf.getKeys(section).forEachRemaining(key -> {
            String name = key.substring(section.length() + 1);
            if (!known.contains(name)) {
                throw new IllegalArgumentException(section + ": unknown setting '" + name + "' (known: " + known + ")");
            }
        });
    }

    private static Optional<Scanning.Rspamd> rspamd(HierarchicalConfiguration<ImmutableNode> conf) {
        String url = Strings.nullToEmpty(conf.getString("rspamd.url", "")).trim();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        Optional<URI> controller = Optional.ofNullable(Strings.emptyToNull(Strings.nullToEmpty(conf.getString("rspamd.controllerUrl", "")).trim()))
            .map(value -> httpUri("rspamd.controllerUrl", value));
        Optional<String> password = Optional.ofNullable(Strings.emptyToNull(Strings.nullToEmpty(conf.getString("rspamd.password", "")).trim()));
        long maxKb = positiveLong("rspamd.maxMessageKB", conf.getString("rspamd.maxMessageKB", "10240"));
        RspamdClient.Settings settings = new RspamdClient.Settings(httpUri("rspamd.url", url), controller, password,
            duration("rspamd.timeout", conf.getString("rspamd.timeout", "10s")), maxKb * 1024);
        RspamdPolicy policy = new RspamdPolicy(RspamdPolicy.parseActions(conf.getString("rspamd.actions", "")),
            score("rspamd.outboundRejectScore", conf.getString("rspamd.outboundRejectScore", "15")),
            score("rspamd.outboundTempFailScore", Strings.emptyToNull(conf.getString("rspamd.outboundTempFailScore", "").trim()) == null
                ? "Infinity" : conf.getString("rspamd.outboundTempFailScore")),
            FailurePolicy.parse("rspamd.onFailure", conf.getString("rspamd.onFailure", "fail-open")));
        return Optional.of(new Scanning.Rspamd(new RspamdClient(settings), policy));
    }

    private static Optional<Scanning.Clamav> clamav(HierarchicalConfiguration<ImmutableNode> conf) {
        String address = Strings.nullToEmpty(conf.getString("clamav.address", "")).trim();
        if (address.isEmpty()) {
            return Optional.empty();
        }
        ClamdClient client = new ClamdClient(ClamdClient.parseAddress(address), duration("clamav.timeout", conf.getString("clamav.timeout", "30s")));
        ClamavPolicy policy = new ClamavPolicy(
            ClamavPolicy.parseOnInfected(conf.getString("clamav.onInfected", "reject")),
            ClamavPolicy.parseOnTooLarge(conf.getString("clamav.onTooLarge", "accept")),
            FailurePolicy.parse("clamav.onFailure", conf.getString("clamav.onFailure", "fail-closed")));
        return Optional.of(new Scanning.Clamav(client, policy));
    }

    private static URI httpUri(String name, String value) {
        try {
            URI uri = new URI(value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException(name + ": '" + value + "' is not an http(s)://host:port URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not an http(s)://host:port URL (" + e.getMessage() + ")");
        }
    }

    private static Duration duration(String name, String value) {
        Duration duration;
        try {
            duration = DurationParser.parse(value.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a duration (e.g. 10s, 500ms)");
        }
        if (duration.isZero() || duration.isNegative() || duration.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException(name + ": '" + value + "' must be above 0 and at most 5 minutes");
        }
        return duration;
    }

    private static long positiveLong(String name, String value) {
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": '" + value + "' is not a positive number");
    }

    private static double score(String name, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a number");
        }
    }
}
