package com.diegonmarcos.mailpack.modules.imap;

import java.util.List;

import org.apache.james.imap.api.ImapConstants;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.message.request.AbstractImapRequest;
import org.apache.james.imap.message.request.ListRequest;

/**
 * A LIST with a parenthesised list of patterns (RFC 5258 §3): one James {@link ListRequest} per pattern,
 * answered together by {@link ConformingImapProcessor} (each mailbox once, one tagged completion).
 */
final class ListPatternsRequest extends AbstractImapRequest {
    private final List<ListRequest> requests;

    ListPatternsRequest(Tag tag, List<ListRequest> requests) {
        super(tag, ImapConstants.LIST_COMMAND);
        this.requests = List.copyOf(requests);
    }

    List<ListRequest> requests() {
        return requests;
    }
}
