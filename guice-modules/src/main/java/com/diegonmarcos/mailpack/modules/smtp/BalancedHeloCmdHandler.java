package com.diegonmarcos.mailpack.modules.smtp;

import javax.inject.Inject;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.HeloCmdHandler;

/** James' HELO without the stray {@code )} of its reply (see {@link HelloReply}). */
public class BalancedHeloCmdHandler extends HeloCmdHandler {
    @Inject
    public BalancedHeloCmdHandler(MetricFactory metricFactory) {
        super(metricFactory);
    }

    @Override
    protected Response doCoreCmd(SMTPSession session, String command, String parameters) {
        return HelloReply.balanced(super.doCoreCmd(session, command, parameters));
    }
}
