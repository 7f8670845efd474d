package com.diegonmarcos.mailpack.dmarc;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import com.google.common.net.InetAddresses;

/**
 * Local exceptions to DMARC policies (RFC 7489 §6.7 allows them; reported as overrides):
 * trusted forwarders (client networks, or domains that authenticate the mail with an SPF or DKIM
 * pass) whose DMARC failures are delivered, and From domains whose {@code reject} becomes
 * {@code quarantine}. Domains match themselves and their subdomains.
 */
public record LocalPolicy(List<Network> trustedNetworks, Set<String> trustedDomains, Set<String> neverReject) {
    public static final LocalPolicy NONE = new LocalPolicy(List.of(), Set.of(), Set.of());

    /** An address block. */
    public record Network(byte[] address, int prefix, String text) {
        public boolean contains(InetAddress ip) {
            byte[] bytes = ip.getAddress();
            if (bytes.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return rest == 0 || (bytes[full] & mask) == (address[full] & mask);
        }

        /** {@code 192.0.2.0/24}, {@code 2001:db8::/32}, or one address. */
        public static Network parse(String text) {
            String trimmed = text.trim();
            int slash = trimmed.indexOf('/');
            String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
            if (!InetAddresses.isInetAddress(address)) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address or network");
            }
            byte[] bytes = InetAddresses.forString(address).getAddress();
            int prefix = bytes.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(trimmed.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "': bad prefix length");
                }
                if (prefix < 0 || prefix > bytes.length * 8) {
                    throw new IllegalArgumentException("'" + text + "': prefix length out of range");
                }
            }
            return new Network(bytes, prefix, trimmed);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    public LocalPolicy {
        trustedNetworks = List.copyOf(trustedNetworks);
        trustedDomains = normalized(trustedDomains);
        neverReject = normalized(neverReject);
    }

    private static Set<String> normalized(Set<String> domains) {
        return domains.stream().map(OrganizationalDomain::normalize).collect(Collectors.toUnmodifiableSet());
    }

    public boolean trustedNetwork(InetAddress ip) {
        return trustedNetworks.stream().anyMatch(network -> network.contains(ip));
    }

    public boolean trustedDomain(String domain) {
        return covered(trustedDomains, domain);
    }

    public boolean neverRejects(String fromDomain) {
        return covered(neverReject, fromDomain);
    }

    private static boolean covered(Set<String> domains, String domain) {
        String name = OrganizationalDomain.normalize(domain);
        for (String listed : domains) {
            if (name.equals(listed) || name.endsWith("." + listed)) {
                return true;
            }
        }
        return false;
    }

    public static List<Network> networks(List<String> texts) {
        List<Network> networks = new ArrayList<>();
        texts.forEach(text -> networks.add(Network.parse(text)));
        return networks;
    }

    @Override
    public String toString() {
        return "trusted forwarders " + trustedNetworks + " " + trustedDomains + ", never reject " + neverReject.stream()
            .map(domain -> domain.toLowerCase(Locale.ROOT)).sorted().collect(Collectors.toList());
    }
}
