package com.diegonmarcos.mailpack.modules.ratelimit;

import java.io.IOException;
import java.time.Clock;

import javax.inject.Named;
import javax.inject.Singleton;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.webadmin.Routes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.diegonmarcos.mailpack.ratelimit.LoginGuard;
import com.diegonmarcos.mailpack.ratelimit.MemoryRateLimitStore;
import com.diegonmarcos.mailpack.ratelimit.RateLimitStore;
import com.diegonmarcos.mailpack.ratelimit.RateLimiter;
import com.diegonmarcos.mailpack.ratelimit.RateLimits;
import com.diegonmarcos.mailpack.ratelimit.RedisRateLimitStore;
import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Names;

/**
 * Rate limits and brute-force protection: {@code conf/ratelimits.xml}, the store (memory or Redis),
 * per-user overrides kept in {@code var/ratelimits-users.json}, the webadmin routes {@code /ratelimits}
 * and {@code /bans}. Time comes from the {@link Clock} named {@link #CLOCK} (tests replace it).
 * {@link #IMAP} replaces James' IMAP processor binding and goes among the server's overrides.
 */
public class RateLimitModule extends AbstractModule {
    private static final Logger LOGGER = LoggerFactory.getLogger(RateLimitModule.class);
    public static final String CLOCK = "mailpack.ratelimit.clock";
    static final String OVERRIDES = "file://var/ratelimits-users.json";

    /** IMAP LOGIN/AUTHENTICATE through {@link GuardedImapProcessor}. */
    public static final Module IMAP = new AbstractModule() {
        @Override
        protected void configure() {
            bind(ImapProcessor.class).to(GuardedImapProcessor.class);
        }
    };

    @Override
    protected void configure() {
        bind(Clock.class).annotatedWith(Names.named(CLOCK)).toInstance(Clock.systemUTC());
        Multibinder<Routes> routes = Multibinder.newSetBinder(binder(), Routes.class);
        routes.addBinding().to(RateLimitRoutes.class);
        routes.addBinding().to(BanRoutes.class);
    }

    @Provides
    @Singleton
    RateLimitConfig config(ConfigurationProvider configurations) throws ConfigurationException {
        RateLimitConfig config = new RateLimitConfig(configurations.getConfiguration("ratelimits"));
        LOGGER.info("Rate limits ({} store{}): {}; logins: {}", config.store,
            config.store == RateLimitConfig.Store.redis ? " at " + config.redisUri.replaceAll("//[^@/]*@", "//***@")
                + ", on failure " + (config.failOpen ? "allow" : "refuse") : "", config.limits, config.logins);
        return config;
    }

    @Provides
    @Singleton
    RateLimitStore store(RateLimitConfig config, @Named(CLOCK) Clock clock) {
        if (config.store == RateLimitConfig.Store.redis) {
            return new RedisRateLimitStore(config.redisUri, config.timeout, clock);
        }
        return new MemoryRateLimitStore(clock);
    }

    @Provides
    @Singleton
    RateLimits rateLimits(RateLimitConfig config, RateLimitStore store, FileSystem fileSystem) throws IOException {
        RateLimits limits = new RateLimits(new RateLimiter(store, config.failOpen), config.limits);
        UserLimitsFile.load(fileSystem.getFile(OVERRIDES).toPath(), limits);
        return limits;
    }

    @Provides
    @Singleton
    UserLimitsFile userLimitsFile(FileSystem fileSystem, RateLimits limits) throws IOException {
        return new UserLimitsFile(fileSystem.getFile(OVERRIDES).toPath(), limits);
    }

    @Provides
    @Singleton
    LoginGuard loginGuard(RateLimitConfig config, @Named(CLOCK) Clock clock) {
        return new LoginGuard(config.logins, clock);
    }
}
