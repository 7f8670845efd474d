package com.diegonmarcos.mailpack.modules.smtp;

import java.util.List;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.protocols.netty.AbstractChannelPipelineFactory;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SmtpMetrics;

import com.diegonmarcos.mailpack.smtp.DataLimits;

/**
 * James' SMTP server with our line decoder ({@link DataAwareLineDecoder}). A listener must have
 * {@link DataLimits} as the first handler of its chain, or lines that are too long would be dropped
 * from stored messages: the start fails otherwise, naming the listener.
 */
final class MailpackSmtpServer extends SMTPServer {
    MailpackSmtpServer(SmtpMetrics smtpMetrics) {
        super(smtpMetrics);
    }

    @Override
    public void doConfigure(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        List<Object> handlers = configuration.getList("handlerchain.handler[@class]");
        if (configuration.getBoolean("[@enabled]", true) && (handlers.isEmpty() || !DataLimits.class.getName().equals(String.valueOf(handlers.get(0)).trim()))) {
            throw new ConfigurationException("conf/smtpserver.xml: listener " + configuration.getString("jmxName", "?")
                + ": the first <handler> of <handlerchain> must be " + DataLimits.class.getName()
                + " (it refuses over-long lines and oversize messages with one reply), found " + handlers);
        }
        super.doConfigure(configuration);
    }

    @Override
    protected ChannelHandlerFactory createFrameHandlerFactory() {
        return pipeline -> new DataAwareLineDecoder(pipeline, AbstractChannelPipelineFactory.MAX_LINE_LENGTH);
    }
}
