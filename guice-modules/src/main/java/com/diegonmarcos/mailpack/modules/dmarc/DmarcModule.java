package com.diegonmarcos.mailpack.modules.dmarc;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.inject.Singleton;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.util.DurationParser;

import com.diegonmarcos.mailpack.dkim.DkimVerifier;
import com.diegonmarcos.mailpack.dmarc.DmarcSettings;
import com.diegonmarcos.mailpack.dmarc.LocalPolicy;
import com.diegonmarcos.mailpack.smtp.DmarcCheck;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/**
 * Inbound authentication on port 25 ({@link DmarcCheck}): settings from {@code conf/dmarc.xml}.
 * A wrong value stops the start, naming the file and the element.
 */
public class DmarcModule extends AbstractModule {
    static final String FILE = "conf/dmarc.xml";

    @Override
    protected void configure() {
        bind(DmarcCheck.DmarcObserver.class).toInstance(DmarcCheck.DmarcObserver.NONE);
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
