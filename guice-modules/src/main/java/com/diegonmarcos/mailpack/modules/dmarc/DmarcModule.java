package com.diegonmarcos.mailpack.modules.dmarc;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.inject.Singleton;
import javax.mail.internet.AddressException;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.MailAddress;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.Startable;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;
import org.apache.mailet.MailetContext;
import org.apache.james.util.DurationParser;

import com.diegonmarcos.mailpack.dkim.DkimVerifier;
import com.diegonmarcos.mailpack.dmarc.DmarcSettings;
import com.diegonmarcos.mailpack.dmarc.LocalPolicy;
import com.diegonmarcos.mailpack.dns.DnsClient;
import com.diegonmarcos.mailpack.smtp.DmarcCheck;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Inbound authentication on port 25 ({@link DmarcCheck}): settings from {@code conf/dmarc.xml};
 * aggregate reports: records in {@code var/dmarc/}, the scheduler, webadmin {@code POST /dmarc/reports}.
 * A wrong value stops the start, naming the file and the element.
 */
public class DmarcModule extends AbstractModule {
    static final String FILE = "conf/dmarc.xml";

    static final String DIRECTORY = "file://var/dmarc";

    /** Marks the start-up step of the report scheduler. */
    static final class DmarcReportsAtStart implements Startable {
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(DmarcReportRoutes.class);
    }

    @Provides
    @Singleton
    ReportSettings reportSettings(ConfigurationProvider configurations) throws ConfigurationException {
        return parseReports(configurations.getConfiguration("dmarc"));
    }

    @Provides
    @Singleton
    DmarcReportStore reportStore(FileSystem fileSystem) throws IOException {
        return new DmarcReportStore(fileSystem.getFile(DIRECTORY).toPath());
    }

    @Provides
    @Singleton
    DmarcCheck.DmarcObserver observer(ReportSettings settings, DmarcReportStore store) {
        return settings.enabled() ? store : DmarcCheck.DmarcObserver.NONE;
    }

    @Provides
    @Singleton
    DmarcReporter reporter(DmarcReportStore store, DnsClient dns, MailetContext mailetContext, Clock clock, ReportSettings settings) {
        return new DmarcReporter(store, dns, mailetContext, clock, settings);
    }

    @ProvidesIntoSet
    InitializationOperation startReports(DmarcReporter reporter) {
        return InitilizationOperationBuilder.forClass(DmarcReportsAtStart.class).init(reporter::startSchedule);
    }

    static ReportSettings parseReports(HierarchicalConfiguration<ImmutableNode> conf) throws ConfigurationException {
        boolean enabled = conf.getBoolean("reports[@enabled]", true);
        String from = conf.getString("reports[@from]", "postmaster@diegonmarcos.com").trim();
        try {
            new MailAddress(from);
        } catch (AddressException e) {
            throw new ConfigurationException(FILE + ": reports@from '" + from + "' is not a mail address");
        }
        String orgName = conf.getString("reports[@orgName]", from.substring(from.indexOf('@') + 1)).trim();
        if (!orgName.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigurationException(FILE + ": reports@orgName '" + orgName + "' must be a domain-like name (it is in file names)");
        }
        String interval = conf.getString("reports[@interval]", "1h").trim();
        Duration parsed;
        try {
            parsed = DurationParser.parse(interval, ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": reports@interval '" + interval + "' is not a duration such as 1h");
        }
        if (parsed.compareTo(Duration.ofMinutes(1)) < 0 || parsed.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigurationException(FILE + ": reports@interval must be between 1m and 1d, got " + interval);
        }
        int catchUp = integer(conf, "reports[@catchUpDays]", 7, 1, 60);
        String host = conf.getString("authservId", "localhost").trim();
        return new ReportSettings(enabled, from, orgName, parsed, catchUp, host);
    }

    @Provides
    @Singleton
    DmarcSettings settings(ConfigurationProvider configurations) throws ConfigurationException {
        HierarchicalConfiguration<ImmutableNode> conf = configurations.getConfiguration("dmarc");
        return parse(conf);
    }

    static DmarcSettings parse(HierarchicalConfiguration<ImmutableNode> conf) throws ConfigurationException {
        String authservId = conf.getString("authservId", "").trim();
        if (authservId.isEmpty() || !authservId.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigurationException(FILE + ": authservId '" + authservId + "' must be this server's host name");
        }
        String onTempError = conf.getString("onTempError", "tempfail").trim().toLowerCase(Locale.ROOT);
        if (!onTempError.equals("tempfail") && !onTempError.equals("accept")) {
            throw new ConfigurationException(FILE + ": onTempError must be 'tempfail' or 'accept', got '" + onTempError + "'");
        }
        LocalPolicy local;
        try {
            local = new LocalPolicy(
                LocalPolicy.networks(trimmed(conf.getList(String.class, "trustedForwarders.network", List.of()))),
                domains(conf.getList(String.class, "trustedForwarders.domain", List.of()), "trustedForwarders/domain"),
                domains(conf.getList(String.class, "neverReject.domain", List.of()), "neverReject/domain"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": " + e.getMessage(), e);
        }
        int maxSignatures = integer(conf, "dkim[@maxSignatures]", 5, 1, 50);
        String partial = conf.getString("dkim[@partialBody]", "policy").trim().toLowerCase(Locale.ROOT);
        DkimVerifier.PartialBody partialBody;
        if (partial.equals("policy")) {
            partialBody = DkimVerifier.PartialBody.POLICY;
        } else if (partial.equals("accept")) {
            partialBody = DkimVerifier.PartialBody.ACCEPT;
        } else {
            throw new ConfigurationException(FILE + ": dkim@partialBody must be 'policy' or 'accept', got '" + partial + "'");
        }
        String skew = conf.getString("dkim[@clockSkew]", "5m").trim();
        Duration clockSkew;
        try {
            clockSkew = DurationParser.parse(skew, ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(FILE + ": dkim@clockSkew '" + skew + "' is not a duration such as 5m");
        }
        if (clockSkew.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigurationException(FILE + ": dkim@clockSkew of " + skew + " is more than a day");
        }
        int minRsaBits = integer(conf, "dkim[@minRsaBits]", 1024, 1024, 4096);
        return new DmarcSettings(authservId, onTempError.equals("tempfail"), local, maxSignatures, partialBody, clockSkew, minRsaBits);
    }

    private static List<String> trimmed(List<String> values) {
        return values.stream().map(String::trim).filter(value -> !value.isEmpty()).toList();
    }

    private static Set<String> domains(List<String> values, String element) throws ConfigurationException {
        Set<String> domains = new HashSet<>();
        for (String value : trimmed(values)) {
            if (!value.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+\\.?")) {
                throw new ConfigurationException(FILE + ": " + element + " '" + value + "' is not a domain name");
            }
            domains.add(value);
        }
        return domains;
    }

    private static int integer(HierarchicalConfiguration<ImmutableNode> conf, String key, int defaultValue, int min, int max)
        throws ConfigurationException {
        String value = conf.getString(key, String.valueOf(defaultValue)).trim();
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new ConfigurationException(FILE + ": " + key + " must be between " + min + " and " + max + ", got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(FILE + ": " + key + " must be a number, got '" + value + "'");
        }
    }
}
