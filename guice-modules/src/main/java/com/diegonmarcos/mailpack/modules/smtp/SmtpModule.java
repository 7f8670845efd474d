package com.diegonmarcos.mailpack.modules.smtp;

import org.apache.james.smtpserver.netty.SMTPServerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

/**
 * Our SMTP servers in place of James' ({@link MailpackSmtpServerFactory}); installed as an override of
 * James' {@code SMTPServerModule}, which binds the factory itself.
 */
public final class SmtpModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(MailpackSmtpServerFactory.class).in(Scopes.SINGLETON);
        bind(SMTPServerFactory.class).to(MailpackSmtpServerFactory.class);
    }
}
