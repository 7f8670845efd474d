package com.diegonmarcos.mailpack.modules.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.diegonmarcos.mailpack.dkim.DkimAlgorithm;
import com.diegonmarcos.mailpack.dkim.SigningKey;

class DkimKeyStoreTest {
    static final String DOMAIN = "diegonmarcos.com";
    static final Instant START = Instant.parse("2026-11-21T06:00:00Z");

    @TempDir
    Path var;

    final MutableClock clock = new MutableClock(START);

    DkimKeyStore store(Optional<Duration> activationDelay) throws Exception {
        return new DkimKeyStore(var.resolve("dkim"), new DkimKeyStore.Settings(activationDelay, Duration.ofDays(7), Map.of()), clock,
            domain -> domain.equals(DOMAIN));
    }

    static List<String> selectors(List<SigningKey> keys) {
        return keys.stream().map(SigningKey::selector).collect(Collectors.toList());
    }

    static Map<String, DkimKeyStore.State> states(DkimKeyStore store) throws Exception {
        return store.keys(DOMAIN).stream().collect(Collectors.toMap(DkimKeyStore.KeyView::selector, DkimKeyStore.KeyView::state));
    }

    @Nested
    class FirstUse {
        @Test
        void localDomainGetsAnEd25519AndAnRsaKeyNamedByDate() throws Exception {
            List<SigningKey> keys = store(Optional.empty()).signingKeys(DOMAIN);

            assertThat(selectors(keys)).containsExactly("202611e", "202611r");
            assertThat(keys).extracting(SigningKey::algorithm).containsExactly(DkimAlgorithm.ED25519_SHA256, DkimAlgorithm.RSA_SHA256);
            assertThat(keys.get(1).publicKeyBase64().length()).isGreaterThan(380); // 2048-bit SubjectPublicKeyInfo
        }

        @Test
        void keysAreOwnerOnlyFiles() throws Exception {
            store(Optional.empty()).signingKeys(DOMAIN);
            Path directory = var.resolve("dkim").resolve(DOMAIN);

            assertThat(Files.getPosixFilePermissions(directory)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            try (var files = Files.list(directory)) {
                assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("202611e.pem", "202611r.pem", "state.json");
            }
            for (String file : List.of("202611e.pem", "202611r.pem", "state.json")) {
                assertThat(Files.getPosixFilePermissions(directory.resolve(file))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
            assertThat(Files.readString(directory.resolve("202611e.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        }

        @Test
        void otherDomainsGetNothing() throws Exception {
            DkimKeyStore store = store(Optional.empty());

            assertThat(store.signingKeys("example.org")).isEmpty();
            assertThat(store.signingKeys("localhost")).isEmpty();
            assertThat(store.signingKeys("[192.0.2.1]")).isEmpty();
            assertThat(var.resolve("dkim")).doesNotExist();
        }

        @Test
        void theSameKeysAfterARestart() throws Exception {
            List<SigningKey> first = store(Optional.empty()).signingKeys(DOMAIN);
            clock.advance(Duration.ofDays(40));

            List<SigningKey> again = store(Optional.empty()).signingKeys("DiegonMarcos.COM.");

            assertThat(again).isEqualTo(first);
            assertThat(store(Optional.empty()).ensureKeys(DOMAIN)).isFalse();
        }
    }

    @Nested
    class Rotation {
        @Test
        void rotationMakesPendingKeysThatDoNotSignYet() throws Exception {
            DkimKeyStore store = store(Optional.empty());
            store.signingKeys(DOMAIN);
            clock.advance(Duration.ofDays(3));

            List<DkimKeyStore.KeyView> made = store.rotate(DOMAIN);

            assertThat(made).extracting(DkimKeyStore.KeyView::selector).containsExactly("20261124e", "20261124r");
            assertThat(made).allSatisfy(key -> assertThat(key.state()).isEqualTo(DkimKeyStore.State.PENDING));
            assertThat(selectors(store.signingKeys(DOMAIN))).containsExactly("202611e", "202611r");
            assertThat(DkimRecords.zone(DOMAIN, store.keys(DOMAIN)))
                .contains("; 20261124e ed25519-sha256: pending: publish now", "20261124e._domainkey.diegonmarcos.com. IN TXT",
                    "; 202611e ed25519-sha256: active, signing", "202611r._domainkey.diegonmarcos.com. IN TXT (");
        }

        @Test
        void aNewMonthGivesMonthSelectors() throws Exception {
            DkimKeyStore store = store(Optional.empty());
            store.signingKeys(DOMAIN);
            clock.advance(Duration.ofDays(45));

            assertThat(store.rotate(DOMAIN)).extracting(DkimKeyStore.KeyView::selector).containsExactly("202701e", "202701r");
        }

        @Test
        void confirmSwitchesSigningAndTheOldKeysRetireAfterTheGracePeriod() throws Exception {
            DkimKeyStore store = store(Optional.empty());
            store.signingKeys(DOMAIN);
            clock.advance(Duration.ofDays(1));
            store.rotate(DOMAIN);

            store.confirm(DOMAIN);

            assertThat(selectors(store.signingKeys(DOMAIN))).containsExactly("20261122e", "20261122r");
            assertThat(states(store)).containsEntry("202611e", DkimKeyStore.State.RETIRING).containsEntry("20261122e", DkimKeyStore.State.ACTIVE);
            assertThat(DkimRecords.zone(DOMAIN, store.keys(DOMAIN)))
                .contains("; 202611e ed25519-sha256: retiring: no longer signs; keep it published until 2026-11-29T06:00:00Z",
                    "202611e._domainkey.diegonmarcos.com. IN TXT");

            clock.advance(Duration.ofDays(7));

            assertThat(states(store)).containsEntry("202611e", DkimKeyStore.State.RETIRED).containsEntry("202611r", DkimKeyStore.State.RETIRED);
            assertThat(DkimRecords.zone(DOMAIN, store.keys(DOMAIN)))
                .doesNotContain("202611e._domainkey.diegonmarcos.com. IN TXT")
                .contains("; 202611e retired since 2026-11-29T06:00:00Z: remove 202611e._domainkey.diegonmarcos.com. from DNS");
        }

        @Test
        void pendingKeysActivateByThemselvesAfterTheDelay() throws Exception {
            DkimKeyStore store = store(Optional.of(Duration.ofHours(48)));
            store.signingKeys(DOMAIN);
            store.rotate(DOMAIN);

            clock.advance(Duration.ofHours(47));
            assertThat(selectors(store.signingKeys(DOMAIN))).containsExactly("202611e", "202611r");

            clock.advance(Duration.ofHours(1));
            assertThat(selectors(store.signingKeys(DOMAIN))).containsExactly("20261121e", "20261121r");
            assertThat(states(store)).containsEntry("202611r", DkimKeyStore.State.RETIRING);
        }

        @Test
        void oneRotationAtATime() throws Exception {
            DkimKeyStore store = store(Optional.empty());
            store.rotate(DOMAIN);

            assertThatThrownBy(() -> store.rotate(DOMAIN)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already pending");
        }

        @Test
        void confirmOrCancelNeedAPendingRotation() throws Exception {
            DkimKeyStore store = store(Optional.empty());

            assertThatThrownBy(() -> store.confirm(DOMAIN)).hasMessage("no rotation of diegonmarcos.com is pending");
            assertThatThrownBy(() -> store.cancel(DOMAIN)).hasMessage("no rotation of diegonmarcos.com is pending");
        }

        @Test
        void cancelForgetsThePendingKeysAndTheirFiles() throws Exception {
            DkimKeyStore store = store(Optional.empty());
            store.signingKeys(DOMAIN);
            store.rotate(DOMAIN);

            store.cancel(DOMAIN);

            assertThat(states(store)).containsOnlyKeys("202611e", "202611r");
            assertThat(var.resolve("dkim").resolve(DOMAIN).resolve("20261121e.pem")).doesNotExist();
        }

        @Test
        void rotationsSurviveARestart() throws Exception {
            DkimKeyStore store = store(Optional.empty());
            store.signingKeys(DOMAIN);
            store.rotate(DOMAIN);

            DkimKeyStore restarted = store(Optional.empty());
            restarted.confirm(DOMAIN);

            assertThat(selectors(store(Optional.empty()).signingKeys(DOMAIN))).containsExactly("20261121e", "20261121r");
        }
    }

    @Nested
    class ConfiguredKeys {
        Path pem(String name, Object object) throws Exception {
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(object);
            }
            Path file = var.resolve(name);
            Files.writeString(file, out.toString());
            return file;
        }

        @Test
        void pemFilesFromConfigurationAreUsedAndCannotBeRotated() throws Exception {
            KeyPair rsa = generate("RSA");
            Path pkcs1 = pem("rsa.pem", rsa); // "BEGIN RSA PRIVATE KEY", as openssl genrsa -traditional writes
            Path pkcs8 = var.resolve("ed.pem");
            Files.writeString(pkcs8, PemKeys.pem(generate("Ed25519").getPrivate()));
            DkimKeyStore store = new DkimKeyStore(var.resolve("dkim"), new DkimKeyStore.Settings(Optional.empty(), Duration.ofDays(7),
                Map.of(DOMAIN, List.of(new DkimKeyStore.ConfiguredKey("conf1e", pkcs8), new DkimKeyStore.ConfiguredKey("conf1r", pkcs1)))),
                clock, domain -> true);

            assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
            assertThat(selectors(store.signingKeys(DOMAIN))).containsExactly("conf1e", "conf1r");
            assertThat(store.isConfigured(DOMAIN)).isTrue();
            assertThatThrownBy(() -> store.rotate(DOMAIN)).hasMessageContaining("come from conf/dkim.xml");
            assertThat(var.resolve("dkim")).doesNotExist();
        }

        @Test
        void unusableFilesAreNamed() throws Exception {
            Path garbage = var.resolve("garbage.pem");
            Files.writeString(garbage, "not a key");
            Path ec = pem("ec.pem", generate("EC").getPrivate());

            for (Path file : List.of(garbage, ec, var.resolve("missing.pem"))) {
                assertThatThrownBy(() -> new DkimKeyStore(var.resolve("dkim"), new DkimKeyStore.Settings(Optional.empty(), Duration.ofDays(7),
                    Map.of(DOMAIN, List.of(new DkimKeyStore.ConfiguredKey("s", file)))), clock, domain -> true))
                    .hasMessageContaining(file.toString());
            }
        }

        private KeyPair generate(String algorithm) throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("RSA")) {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        }
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

}
