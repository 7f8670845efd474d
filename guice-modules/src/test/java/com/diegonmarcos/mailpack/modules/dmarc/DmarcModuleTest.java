package com.diegonmarcos.mailpack.modules.dmarc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Duration;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.dmarc.DmarcSettings;
import com.google.common.net.InetAddresses;

class DmarcModuleTest {
    static DmarcSettings parse(String body) throws ConfigurationException {
        XMLConfiguration conf = new XMLConfiguration();
        new FileHandler(conf).load(new StringReader("<dmarc>" + body + "</dmarc>"));
        return DmarcModule.parse(conf);
    }

    @Test
    void defaultsTempFailAndNoExceptions() throws Exception {
        DmarcSettings settings = parse("<authservId>mx.example.com</authservId>");

        assertThat(settings.authservId()).isEqualTo("mx.example.com");
        assertThat(settings.tempFailOnTempError()).isTrue();
        assertThat(settings.local().trustedNetworks()).isEmpty();
        assertThat(settings.maxSignatures()).isEqualTo(5);
        assertThat(settings.clockSkew()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void readsTheExceptionLists() throws Exception {
        DmarcSettings settings = parse("<authservId>mx.example.com</authservId><onTempError>accept</onTempError>"
            + "<trustedForwarders><network>192.0.2.0/24</network><network>2001:db8::/32</network><domain>lists.example.org</domain></trustedForwarders>"
            + "<neverReject><domain>Bank.example</domain></neverReject>");

        assertThat(settings.tempFailOnTempError()).isFalse();
        assertThat(settings.local().trustedNetwork(InetAddresses.forString("192.0.2.77"))).isTrue();
        assertThat(settings.local().trustedNetwork(InetAddresses.forString("2001:db8::5"))).isTrue();
        assertThat(settings.local().trustedNetwork(InetAddresses.forString("192.0.3.1"))).isFalse();
        assertThat(settings.local().trustedDomain("a.lists.example.org")).isTrue();
        assertThat(settings.local().neverRejects("mail.bank.example")).isTrue();
    }

    @Test
    void aMissingAuthservIdStopsTheStart() {
        assertThatThrownBy(() -> parse("")).isInstanceOf(ConfigurationException.class)
            .hasMessage("conf/dmarc.xml: authservId '' must be this server's host name");
    }

    @Test
    void anUnknownTempErrorActionStopsTheStart() {
        assertThatThrownBy(() -> parse("<authservId>mx.example.com</authservId><onTempError>reject</onTempError>"))
            .hasMessage("conf/dmarc.xml: onTempError must be 'tempfail' or 'accept', got 'reject'");
    }

    @Test
    void aBadNetworkStopsTheStart() {
        assertThatThrownBy(() -> parse("<authservId>mx.example.com</authservId><trustedForwarders><network>192.0.2.0/33</network></trustedForwarders>"))
            .hasMessage("conf/dmarc.xml: '192.0.2.0/33': prefix length out of range");
        assertThatThrownBy(() -> parse("<authservId>mx.example.com</authservId><trustedForwarders><network>lists.example.org</network></trustedForwarders>"))
            .hasMessage("conf/dmarc.xml: 'lists.example.org' is not an IP address or network");
    }

    @Test
    void aBadDomainStopsTheStart() {
        assertThatThrownBy(() -> parse("<authservId>mx.example.com</authservId><neverReject><domain>not a domain</domain></neverReject>"))
            .hasMessage("conf/dmarc.xml: neverReject/domain 'not a domain' is not a domain name");
    }

    @Test
    void badDkimSettingsStopTheStart() {
        assertThatThrownBy(() -> parse("<authservId>mx.example.com</authservId><dkim maxSignatures=\"0\"/>"))
            .hasMessage("conf/dmarc.xml: dkim[@maxSignatures] must be between 1 and 50, got 0");
        assertThatThrownBy(() -> parse("<authservId>mx.example.com</authservId><dkim partialBody=\"maybe\"/>"))
            .hasMessage("conf/dmarc.xml: dkim@partialBody must be 'policy' or 'accept', got 'maybe'");
        assertThatThrownBy(() -> parse("<authservId>mx.example.com</authservId><dkim clockSkew=\"2d\"/>"))
            .hasMessage("conf/dmarc.xml: dkim@clockSkew of 2d is more than a day");
    }
}
