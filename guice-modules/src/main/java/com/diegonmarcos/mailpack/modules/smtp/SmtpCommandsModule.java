package com.diegonmarcos.mailpack.modules.smtp;

import org.apache.james.protocols.smtp.core.HeloCmdHandler;
import org.apache.james.protocols.smtp.core.esmtp.EhloCmdHandler;
import org.apache.james.smtpserver.JamesRcptCmdHandler;

import com.google.inject.AbstractModule;

/**
 * Corrections to James' own SMTP command handlers, made where James creates them: the handler chains
 * of {@code conf/smtpserver.xml} name James' classes (through {@code CoreCmdHandlerLoader} or one by
 * one) and James asks Guice for an instance of each, so every listener gets these subclasses without a
 * line of XML:
 * <ul>
 *   <li>{@code EHLO}, {@code HELO}: {@link BalancedEhloCmdHandler}, {@link BalancedHeloCmdHandler} (no stray
 *       {@code )} in the reply);</li>
 *   <li>{@code RCPT}: {@link ForwardPathRcptCmdHandler} (source routes ignored, unparsable addresses
 *       {@code 553} without a stack trace in the log).</li>
 * </ul>
 * Not singletons: James wires each listener's hooks and extensions into its own handler instances.
 */
public class SmtpCommandsModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(EhloCmdHandler.class).to(BalancedEhloCmdHandler.class);
        bind(HeloCmdHandler.class).to(BalancedHeloCmdHandler.class);
        bind(JamesRcptCmdHandler.class).to(ForwardPathRcptCmdHandler.class);
    }
}
