package com.diegonmarcos.mailpack.modules.imap;

import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServer;
import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.imapserver.netty.NettyConstants;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.protocols.netty.AbstractChannelPipelineFactory;
import org.apache.james.util.Size;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;

/**
 * One IMAP listener: James' {@link IMAPServer} with three handlers of mailpack in each connection's pipeline,
 * <ul>
 *   <li>{@link GuardedImapRequestDecoder} in place of James' request decoder: commands before login at most
 *       8 KiB, literals after login at most {@code literalSizeLimit} (required: the message size limit);</li>
 *   <li>{@link LoginDeadline}: a connection must log in within {@code loginTimeout} seconds;</li>
 *   <li>{@link ResponsesInCallOrder}: responses reach the socket in the order James wrote them, from any thread.</li>
 * </ul>
 * The connection limits ({@code connectionLimit}, {@code connectionLimitPerIP}) and the authenticated
 * session timeout ({@code timeout}) are James' own.
 */
class MailpackImapServer extends IMAPServer {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailpackImapServer.class);
    static final String FILE = "conf/imapserver.xml";
    static final String LOGIN_TIMEOUT = "loginTimeout";
    static final String LITERAL_SIZE_LIMIT = "literalSizeLimit";
    static final int DEFAULT_LOGIN_TIMEOUT = 60;
    private static final String LOGIN_DEADLINE_HANDLER = "mailpackLoginDeadline";

    private final ImapDecoder decoder;
    private final ImapProcessor processor;
    private int inMemorySizeLimit;
    private int literalSizeLimit;
    private int maxLineLength;
    private int loginTimeout;
    private ImapLimits limits;

    MailpackImapServer(ImapDecoder decoder, ImapEncoder encoder, ImapProcessor processor, ImapMetrics imapMetrics,
                       GaugeRegistry gaugeRegistry) {
        // $ resolved outermost (RFC 5182), then answers reordered, then an EXAMINEd mailbox kept unchanged;
        // the CONDSTORE setting is read into the processor inside
        super(decoder, encoder, new SavedSearchResultProcessor(new FetchConformanceProcessor(new ExaminedStaysUnchanged(processor))),
            imapMetrics, gaugeRegistry);
        this.decoder = decoder;
        this.processor = processor;
    }

    @Override
    public void doConfigure(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        ConformingImapProcessor.readCondstore(processor, configuration);
        super.doConfigure(configuration);
        // the same settings, read as IMAPServer reads them, for the decoder that replaces James'
        maxLineLength = configuration.getInt("maxLineLength", DEFAULT_MAX_LINE_LENGTH);
        inMemorySizeLimit = Math.toIntExact(Optional.ofNullable(configuration.getString("inMemorySizeLimit", null))
            .map(Size::parse).orElse(DEFAULT_IN_MEMORY_SIZE_LIMIT).asBytes());
        literalSizeLimit = Optional.ofNullable(configuration.getString(LITERAL_SIZE_LIMIT, null))
            .map(Size::parse).map(Size::asBytes).map(Math::toIntExact).orElse(DEFAULT_LITERAL_SIZE_LIMIT);
        if (literalSizeLimit <= 0) {
            // James reads 0 as "no limit": one APPEND could then fill the disk with a literal of any size
            throw new ConfigurationException(FILE + ": imapserver '" + jmxName + "': " + LITERAL_SIZE_LIMIT
                + " must be set to the largest message accepted (e.g. 51200K), got '" + configuration.getString(LITERAL_SIZE_LIMIT, "") + "'");
        }
        loginTimeout = loginTimeout(configuration);
        limits = ImapLimits.of(literalSizeLimit, maxLineLength);
        LOGGER.info("IMAP {}: commands before login at most {} bytes, literals after login at most {} bytes, login within {} s",
            jmxName, ImapLimits.UNAUTHENTICATED_COMMAND_BYTES, literalSizeLimit, loginTimeout);
    }

    private int loginTimeout(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        String value = configuration.getString(LOGIN_TIMEOUT, String.valueOf(DEFAULT_LOGIN_TIMEOUT)).trim();
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= 1) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigurationException(FILE + ": imapserver '" + jmxName + "': " + LOGIN_TIMEOUT
            + " must be a whole number of seconds, 1 or more, got '" + value + "'");
    }

    @Override
    protected AbstractChannelPipelineFactory createPipelineFactory() {
        AbstractChannelPipelineFactory james = super.createPipelineFactory();
        return new AbstractChannelPipelineFactory<SocketChannel>(getFrameHandlerFactory(), getExecutorGroup()) {
            @Override
            protected ChannelInboundHandlerAdapter createHandler() {
                return createCoreHandler();
            }

            @Override
            protected void initChannel(SocketChannel channel) {
                ChannelPipeline pipeline = channel.pipeline();
                pipeline.addLast(james); // James' initializer builds its pipeline at once (we run on the channel's event loop) and removes itself
                pipeline.replace(NettyConstants.REQUEST_DECODER, NettyConstants.REQUEST_DECODER,
                    new GuardedImapRequestDecoder(decoder, inMemorySizeLimit, literalSizeLimit, maxLineLength, limits));
                pipeline.addAfter(NettyConstants.TIMEOUT_HANDLER, LOGIN_DEADLINE_HANDLER, new LoginDeadline(loginTimeout));
                ResponsesInCallOrder.addAfter(pipeline, NettyConstants.CHUNK_WRITE_HANDLER, channel.eventLoop());
            }
        };
    }
}
