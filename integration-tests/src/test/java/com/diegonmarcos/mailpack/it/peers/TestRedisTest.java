package com.diegonmarcos.mailpack.it.peers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The harness itself: a real server that stores keys, goes down and comes back on the same port. */
class TestRedisTest {
    @RegisterExtension
    static TestRedis redis = new TestRedis();

    @Test
    void storesKeysStopsAndComesBackEmptyOnTheSamePort() throws Exception {
        redis.cli("SET", "mailpack:probe", "1");
        assertThat(redis.cli("GET", "mailpack:probe").trim()).isEqualTo("1");

        redis.stop();
        assertThat(redis.accepts()).isFalse();

        redis.start();
        assertThat(redis.accepts()).isTrue();
        assertThat(redis.cli("EXISTS", "mailpack:probe").trim()).isEqualTo("0");
    }
}
