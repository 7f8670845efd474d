package com.diegonmarcos.mailpack.it;

import org.junit.jupiter.api.Test;

/** A wrong setting in conf/ratelimits.xml stops the start, naming the file and the setting. */
class RateLimitBadConfigurationIntegrationTest {
    private static String shippedWith(String from, String to) {
        String shipped = MailpackTestServer.shippedConf("ratelimits.xml");
        if (!shipped.contains(from)) {
            throw new IllegalStateException("conf/ratelimits.xml no longer contains " + from);
        }
        return shipped.replace(from, to);
    }

    @Test
    void misspelledWindowIsNamed() throws Exception {
        MailpackTestServer.inProcess().overlay("ratelimits.xml", shippedWith("<messages perMinute=\"10\"", "<messages perMinit=\"10\""))
            .assertStartFailsWith("conf/ratelimits.xml: unknown setting sender.messages[@perMinit]");
    }

    @Test
    void unknownStoreIsNamed() throws Exception {
        MailpackTestServer.inProcess().variable("MAILPACK_RATELIMIT_STORE", "memcached")
            .assertStartFailsWith("conf/ratelimits.xml: store type must be memory or redis, not 'memcached'");
    }

    @Test
    void countThatIsNotANumberIsNamed() throws Exception {
        MailpackTestServer.inProcess().overlay("ratelimits.xml", shippedWith("perHour=\"100\" perDay=\"1000\"", "perHour=\"many\" perDay=\"1000\""))
            .assertStartFailsWith("conf/ratelimits.xml: sender.recipients[@perHour] must be 0 (no limit) or a positive number, not 'many'");
    }

    @Test
    void badDurationAndBanLongerThanMaximumAreNamed() throws Exception {
        MailpackTestServer.inProcess().overlay("ratelimits.xml", shippedWith("ban=\"15m\"", "ban=\"forever\""))
            .assertStartFailsWith("conf/ratelimits.xml: logins[@ban] must be a positive duration like 30s, 10m, 1h, 1d, not 'forever'");
        MailpackTestServer.inProcess().overlay("ratelimits.xml", shippedWith("maxBan=\"24h\"", "maxBan=\"1m\""))
            .assertStartFailsWith("conf/ratelimits.xml: logins: maxBan (PT1M) is shorter than ban (PT15M)");
    }

    @Test
    void redisUriWithoutSchemeIsNamed() throws Exception {
        MailpackTestServer.inProcess().variable("MAILPACK_RATELIMIT_STORE", "redis").variable("MAILPACK_REDIS_URI", "127.0.0.1:6379")
            .assertStartFailsWith("conf/ratelimits.xml: store redisUri must start with redis:// or rediss://, not '127.0.0.1:6379'");
    }
}
