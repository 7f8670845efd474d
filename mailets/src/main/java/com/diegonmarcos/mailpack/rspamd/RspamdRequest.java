package com.diegonmarcos.mailpack.rspamd;

import java.util.List;
import java.util.Optional;

/**
 * What rspamd should know beside the message: the SMTP client's address and HELO, the envelope, the
 * authenticated user (rspamd then treats the mail as outbound) and our queue id (for its logs).
 */
public record RspamdRequest(Optional<String> clientIp, Optional<String> helo, Optional<String> mailFrom,
                            List<String> recipients, Optional<String> user, Optional<String> queueId) {
    public RspamdRequest {
        recipients = List.copyOf(recipients);
    }
}
