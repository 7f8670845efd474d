package com.diegonmarcos.mailpack.modules.smtp;

import javax.inject.Inject;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.EhloCmdHandler;

/** James' EHLO without the stray {@code )} of its first reply line (see {@link HelloReply}). */
public class BalancedEhloCmdHandler extends EhloCmdHandler {
    @Inject
    public BalancedEhloCmdHandler(MetricFactory metricFactory) {
        super(metricFactory);
    }

    @Override
    protected Response doCoreCmd(SMTPSession session, String command, String parameters) {
        return HelloReply.balanced(super.doCoreCmd(session, command, parameters));
    }
}
