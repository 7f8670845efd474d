package com.diegonmarcos.mailpack.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.diegonmarcos.mailpack.dns.DnsJavaClient;
import com.diegonmarcos.mailpack.dns.ResolverSettings;
import com.diegonmarcos.mailpack.dns.TxtResult;
import com.diegonmarcos.mailpack.it.peers.Dkimpy;
import com.diegonmarcos.mailpack.it.peers.SmtpSink;
import com.diegonmarcos.mailpack.it.peers.TestDns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Key rotation over webadmin, end to end: rotate, publish, confirm, sign with the new keys, old ones still listed. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DkimRotationIntegrationTest {
    static final String DOMAIN = MailpackTestServer.DOMAIN;
    static final String DIEGO = "diego@diegonmarcos.com";
    static final String PASSWORD = "dkim-rotation-passphrase-01";
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    @Order(1)
    static TestDns dns = TestDns.forZones(DOMAIN);

    @RegisterExtension
    @Order(2)
    static SmtpSink remote = SmtpSink.create();

    @RegisterExtension
    @Order(3)
    static MailpackTestServer server = MailpackTestServer.inProcess()
        .variable("MAILPACK_DNS_SERVERS", dns.address())
        .variable("MAILPACK_DNS_TIMEOUT", "1s")
        .remoteDeliveryThrough(remote.port());

    @BeforeAll
    static void setUp() throws Exception {
        server.createUser(DIEGO, PASSWORD);
        for (JsonNode key : records()) {
            publish(key);
        }
    }

    static JsonNode records() throws Exception {
        HttpResponse<String> response = server.webAdmin("GET", "/dkim/" + DOMAIN + "/records?format=json", null);
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static void publish(JsonNode key) {
        dns.txt(key.get("name").asText() + "." + DOMAIN, key.get("value").asText());
    }

    static byte[] sendOut(String marker) throws Exception {
        try (SmtpDialog smtp = SmtpDialog.connect(server.submissionPort())) {
            smtp.send("EHLO client.example");
            smtp.startTls(Clients.trusting(server.certificate()));
            smtp.send("EHLO client.example");
            assertThat(smtp.authPlain(DIEGO, PASSWORD)).startsWith("235");
            assertThat(smtp.send("MAIL FROM:<" + DIEGO + ">")).startsWith("250");
            assertThat(smtp.send("RCPT TO:<bob@remote.example>")).startsWith("250");
            assertThat(smtp.data(Clients.message(DIEGO, "bob@remote.example", "rotation " + marker, marker))).startsWith("250");
        }
        return remote.await(text -> text.contains(marker)).data();
    }

    static List<String> selectors(JsonNode keys, String state) {
        List<String> selectors = new ArrayList<>();
        keys.forEach(key -> {
            if (key.get("state").asText().equals(state)) {
                selectors.add(key.get("selector").asText());
            }
        });
        return selectors;
    }

    static List<String> passes(byte[] message) {
        return Dkimpy.verdicts(message, dns);
    }

    @Test
    @Order(1)
    void rotateConfirmAndKeepTheOldKeysListedDuringTheGracePeriod() throws Exception {
        List<String> old = selectors(records(), "active");
        assertThat(old).hasSize(2);
        byte[] before = sendOut("before-" + UUID.randomUUID());
        assertThat(passes(before)).containsExactly("pass diegonmarcos.com " + old.get(0) + " ed25519-sha256",
            "pass diegonmarcos.com " + old.get(1) + " rsa-sha256");

        HttpResponse<String> rotated = server.webAdmin("POST", "/dkim/" + DOMAIN + "/rotate", null);
        assertThat(rotated.statusCode()).isEqualTo(201);
        JsonNode rotation = JSON.readTree(rotated.body());
        List<String> fresh = selectors(rotation.get("pending"), "pending");
        assertThat(fresh).hasSize(2).allSatisfy(selector -> assertThat(selector).matches("\\d{8}[er]"));
        assertThat(rotation.get("records").asText()).contains(fresh.get(0) + "._domainkey.diegonmarcos.com. IN TXT",
            fresh.get(1) + "._domainkey.diegonmarcos.com. IN TXT (", old.get(0) + "._domainkey.diegonmarcos.com. IN TXT");

        // pending keys do not sign yet
        assertThat(passes(sendOut("pending-" + UUID.randomUUID()))).containsExactly(
            "pass diegonmarcos.com " + old.get(0) + " ed25519-sha256", "pass diegonmarcos.com " + old.get(1) + " rsa-sha256");

        // not published: confirming would break every signature, so it is refused
        HttpResponse<String> tooEarly = server.webAdmin("POST", "/dkim/" + DOMAIN + "/rotate/confirm", null);
        assertThat(tooEarly.statusCode()).isEqualTo(409);
        assertThat(tooEarly.body()).contains("not published yet", fresh.get(0) + "._domainkey.diegonmarcos.com.", "NXDOMAIN");

        for (JsonNode key : rotation.get("pending")) {
            publish(key);
        }
        HttpResponse<String> confirmed = server.webAdmin("POST", "/dkim/" + DOMAIN + "/rotate/confirm", null);
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);

        byte[] after = sendOut("after-" + UUID.randomUUID());
        assertThat(passes(after)).containsExactly("pass diegonmarcos.com " + fresh.get(0) + " ed25519-sha256",
            "pass diegonmarcos.com " + fresh.get(1) + " rsa-sha256");

        JsonNode now = records();
        assertThat(selectors(now, "active")).containsExactlyElementsOf(fresh);
        assertThat(selectors(now, "retiring")).containsExactlyInAnyOrderElementsOf(old);
        String zone = server.webAdmin("GET", "/dkim/" + DOMAIN + "/records", null).body();
        assertThat(zone).contains("; " + old.get(0) + " ed25519-sha256: retiring: no longer signs; keep it published until ",
            old.get(0) + "._domainkey.diegonmarcos.com. IN TXT");

        // the old selector still resolves, so mail signed before the switch still verifies
        TxtResult oldRecord = DnsJavaClient.create(ResolverSettings.parse(dns.address(), "2s", "0"))
            .txt(old.get(0) + "._domainkey." + DOMAIN);
        assertThat(oldRecord.status()).isEqualTo(TxtResult.Status.FOUND);
        assertThat(passes(before)).allSatisfy(line -> assertThat(line).startsWith("pass"));
    }

    @Test
    @Order(2)
    void aPendingRotationCanBeCancelledAndOnlyOneRunsAtATime() throws Exception {
        assertThat(server.webAdmin("POST", "/dkim/" + DOMAIN + "/rotate", null).statusCode()).isEqualTo(201);
        HttpResponse<String> second = server.webAdmin("POST", "/dkim/" + DOMAIN + "/rotate", null);
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.body()).contains("already pending");

        assertThat(server.webAdmin("DELETE", "/dkim/" + DOMAIN + "/rotate", null).statusCode()).isEqualTo(204);

        assertThat(selectors(records(), "pending")).isEmpty();
        assertThat(server.webAdmin("POST", "/dkim/" + DOMAIN + "/rotate/confirm", null).statusCode()).isEqualTo(409);
        assertThat(server.webAdmin("GET", "/dkim/nowhere.example/records", null).statusCode()).isEqualTo(404);
        String all = server.webAdmin("GET", "/dkim", null).body();
        assertThat(all).contains("\"domain\":\"diegonmarcos.com\"", "\"state\":\"active\"", "\"state\":\"retiring\"");
    }

}
