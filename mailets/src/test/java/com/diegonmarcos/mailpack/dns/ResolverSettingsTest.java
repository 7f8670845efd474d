package com.diegonmarcos.mailpack.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class ResolverSettingsTest {
    @Test
    void blankServersMeanTheSystemResolvers() {
        ResolverSettings settings = ResolverSettings.parse(" ", "5s", "1");

        assertThat(settings.servers()).isEmpty();
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.retries()).isEqualTo(1);
    }

    @Test
    void serversWithAndWithoutPorts() {
        ResolverSettings settings = ResolverSettings.parse("127.0.0.1:5353, 192.0.2.1,[2001:db8::1]:54", "800ms", "0");

        assertThat(settings.servers()).containsExactly(new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("192.0.2.1", 53),
            new InetSocketAddress("2001:db8::1", 54));
        assertThat(settings.timeout()).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void invalidValuesAreNamed() {
        assertThatThrownBy(() -> ResolverSettings.parse("dns.google", "5s", "1")).hasMessageContaining("server 'dns.google' must be an IP address");
        assertThatThrownBy(() -> ResolverSettings.parse("127.0.0.1:99999", "5s", "1")).hasMessageContaining("server '127.0.0.1:99999'");
        assertThatThrownBy(() -> ResolverSettings.parse("", "soon", "1")).hasMessageContaining("timeout 'soon'");
        assertThatThrownBy(() -> ResolverSettings.parse("", "0s", "1")).hasMessageContaining("timeout must be between");
        assertThatThrownBy(() -> ResolverSettings.parse("", "5s", "many")).hasMessageContaining("retries 'many'");
        assertThatThrownBy(() -> ResolverSettings.parse("", "5s", "9")).hasMessageContaining("retries must be between 0 and 5");
        assertThat(List.of(ResolverSettings.system().timeout())).containsExactly(ResolverSettings.DEFAULT_TIMEOUT);
    }
}
