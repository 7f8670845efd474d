package com.diegonmarcos.mailpack.ratelimit;

import java.util.List;

/** What one authenticated sender may send: messages and recipients, each per minute/hour/day. */
public final class SenderLimits {
    private final List<Limit> messages;
    private final List<Limit> recipients;

    public SenderLimits(List<Limit> messages, List<Limit> recipients) {
        this.messages = List.copyOf(messages);
        this.recipients = List.copyOf(recipients);
    }

    public List<Limit> messages() {
        return messages;
    }

    public List<Limit> recipients() {
        return recipients;
    }

    @Override
    public String toString() {
        return "messages " + messages + ", recipients " + recipients;
    }
}
