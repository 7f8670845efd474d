package com.diegonmarcos.mailpack.ratelimit;

import java.util.List;

/** The limits of {@code conf/ratelimits.xml}; empty lists mean no limit. */
public final class RateLimitSettings {
    private final SenderLimits sender;
    private final List<Limit> ipConnections;
    private final List<Limit> ipMessages;
    private final List<Limit> recipientMessages;

    public RateLimitSettings(SenderLimits sender, List<Limit> ipConnections, List<Limit> ipMessages, List<Limit> recipientMessages) {
        this.sender = sender;
        this.ipConnections = List.copyOf(ipConnections);
        this.ipMessages = List.copyOf(ipMessages);
        this.recipientMessages = List.copyOf(recipientMessages);
    }

    public SenderLimits sender() {
        return sender;
    }

    public List<Limit> ipConnections() {
        return ipConnections;
    }

    public List<Limit> ipMessages() {
        return ipMessages;
    }

    public List<Limit> recipientMessages() {
        return recipientMessages;
    }

    @Override
    public String toString() {
        return "sender " + sender + "; per client address: connections " + ipConnections + ", messages " + ipMessages
            + "; per local recipient: messages " + recipientMessages;
    }
}
