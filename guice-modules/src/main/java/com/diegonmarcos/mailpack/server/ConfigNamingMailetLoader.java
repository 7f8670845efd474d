package com.diegonmarcos.mailpack.server;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.mailetcontainer.api.MailetLoader;
import org.apache.james.mailetcontainer.api.MatcherLoader;
import org.apache.james.utils.GuiceMailetLoader;
import org.apache.james.utils.GuiceMatcherLoader;
import org.apache.mailet.Mailet;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.Matcher;
import org.apache.mailet.MatcherConfig;

/**
 * James' loaders, with errors that say where to look: a mailet or matcher that refuses its
 * configuration (an unknown parameter, a missing value) stops the start with
 * {@code conf/mailetcontainer.xml: mailet 'DSNBounce': <reason>}.
 */
public final class ConfigNamingMailetLoader implements MailetLoader {
    static final String FILE = "conf/mailetcontainer.xml";

    private final GuiceMailetLoader delegate;

    @Inject
    public ConfigNamingMailetLoader(GuiceMailetLoader delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mailet getMailet(MailetConfig config) throws MessagingException {
        try {
            return delegate.getMailet(config);
        } catch (MessagingException | RuntimeException e) {
            throw new MessagingException(FILE + ": mailet '" + config.getMailetName() + "': " + describe(e), e);
        }
    }

    static String describe(Throwable e) {
        StringBuilder reasons = new StringBuilder();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && reasons.indexOf(cause.getMessage()) < 0) {
                reasons.append(reasons.length() == 0 ? "" : ": ").append(cause.getMessage());
            }
        }
        return reasons.toString();
    }

    /** The same for matchers. */
    public static final class Matchers implements MatcherLoader {
        private final GuiceMatcherLoader delegate;

        @Inject
        public Matchers(GuiceMatcherLoader delegate) {
            this.delegate = delegate;
        }

        @Override
        public Matcher getMatcher(MatcherConfig config) throws MessagingException {
            try {
                return delegate.getMatcher(config);
            } catch (MessagingException | RuntimeException e) {
                throw new MessagingException(FILE + ": matcher '" + config.getMatcherName() + "': " + describe(e), e);
            }
        }
    }
}
