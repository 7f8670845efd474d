package com.diegonmarcos.mailpack.modules.smtp;

import java.util.List;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.protocols.netty.AbstractChannelPipelineFactory;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SmtpMetrics;

import com.diegonmarcos.mailpack.smtp.DataLimits;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;

/**
 * James' SMTP server with our line decoder ({@link DataAwareLineDecoder}) and our connection limits
 * ({@link SmtpConnectionLimits}: a {@code 421} before the close). A listener must have
 * {@link DataLimits} as the first handler of its chain, or lines that are too long would be dropped
 * from stored messages: the start fails otherwise, naming the listener.
 */
final class MailpackSmtpServer extends SMTPServer {
    private static final String CONNECTION_LIMITS = "mailpackConnectionLimits";

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
    protected AbstractChannelPipelineFactory createPipelineFactory() {
        AbstractChannelPipelineFactory james = super.createPipelineFactory();
        Encryption encryption = getEncryption();
        boolean implicitTls = encryption != null && encryption.supportsEncryption() && !encryption.isStartTLS();
        SmtpConnectionLimits limits = new SmtpConnectionLimits(jmxName, getHelloName(), connectionLimit, connPerIP, !implicitTls,
            java.time.Clock.systemUTC());
        return new AbstractChannelPipelineFactory<SocketChannel>(getFrameHandlerFactory(), getExecutorGroup()) {
            @Override
            protected ChannelInboundHandlerAdapter createHandler() {
                return createCoreHandler();
            }

            @Override
            protected void initChannel(SocketChannel channel) {
                ChannelPipeline pipeline = channel.pipeline();
                pipeline.addLast(james); // builds James' pipeline at once (on the channel's event loop) and removes itself
                for (String name : new String[] {HandlerConstants.CONNECTION_LIMIT_HANDLER, HandlerConstants.CONNECTION_LIMIT_PER_IP_HANDLER}) {
                    if (pipeline.get(name) != null) {
                        pipeline.remove(name);
                    }
                }
                if (limits.limits()) {
                    pipeline.addFirst(CONNECTION_LIMITS, limits);
                }
            }
        };
    }

    @Override
    protected ChannelHandlerFactory createFrameHandlerFactory() {
        return pipeline -> new DataAwareLineDecoder(pipeline, AbstractChannelPipelineFactory.MAX_LINE_LENGTH);
    }
}
