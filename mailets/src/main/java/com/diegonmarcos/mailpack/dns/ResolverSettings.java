package com.diegonmarcos.mailpack.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.util.DurationParser;

import com.google.common.base.Splitter;
import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;

/**
 * Which resolvers to ask and how patiently.
 *
 * @param servers recursive resolvers (IP and port); empty: the system's ({@code /etc/resolv.conf})
 * @param timeout how long one attempt at one server may take
 * @param retries further attempts after the first (per server)
 */
public record ResolverSettings(List<InetSocketAddress> servers, Duration timeout, int retries) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_RETRIES = 1;
    static final int MAX_RETRIES = 5;

    public ResolverSettings {
        servers = List.copyOf(servers);
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("timeout must be between 1 ms and 1 minute, got " + timeout);
        }
        if (retries < 0 || retries > MAX_RETRIES) {
            throw new IllegalArgumentException("retries must be between 0 and " + MAX_RETRIES + ", got " + retries);
        }
    }

    public static ResolverSettings system() {
        return new ResolverSettings(List.of(), DEFAULT_TIMEOUT, DEFAULT_RETRIES);
    }

    /**
     * @param servers comma-separated {@code IP[:port]} ({@code [IPv6]:port}); blank for the system's
     * @param timeout a duration such as {@code 5s} or {@code 800ms} (no unit: seconds)
     * @param retries a number from 0 to 5
     * @throws IllegalArgumentException naming the value that is wrong
     */
    public static ResolverSettings parse(String servers, String timeout, String retries) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String server : Splitter.on(',').trimResults().omitEmptyStrings().split(servers == null ? "" : servers)) {
            addresses.add(address(server));
        }
        Duration parsedTimeout;
        try {
            parsedTimeout = DurationParser.parse(timeout.trim(), ChronoUnit.SECONDS);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("timeout '" + timeout + "' is not a duration such as 5s or 800ms", e);
        }
        int parsedRetries;
        try {
            parsedRetries = Integer.parseInt(retries.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("retries '" + retries + "' is not a number", e);
        }
        return new ResolverSettings(addresses, parsedTimeout, parsedRetries);
    }

    private static InetSocketAddress address(String server) {
        HostAndPort hostAndPort;
        try {
            hostAndPort = HostAndPort.fromString(server).withDefaultPort(53);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("server '" + server + "' is not IP[:port]", e);
        }
        if (!InetAddresses.isInetAddress(hostAndPort.getHost())) {
            // a resolver given by name would need a resolver to find it
            throw new IllegalArgumentException("server '" + server + "' must be an IP address, not a host name");
        }
        return new InetSocketAddress(InetAddresses.forString(hostAndPort.getHost()), hostAndPort.getPort());
    }

    @Override
    public String toString() {
        return (servers.isEmpty() ? "system resolvers" : servers.toString()) + ", timeout " + timeout + ", retries " + retries;
    }
}
