package com.diegonmarcos.mailpack.server;

import java.util.List;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.apache.james.imapserver.netty.IMAPServerFactory;
import org.apache.james.pop3server.netty.POP3ServerFactory;
import org.apache.james.protocols.lib.netty.AbstractConfigurableAsyncServer;
import org.apache.james.smtpserver.netty.SMTPServerFactory;
import org.apache.james.utils.GuiceProbe;
import org.apache.james.utils.WebAdminGuiceProbe;

import com.google.common.collect.ImmutableList;

/** What the server listens on, one line per listener, for the start-up banner. */
public class ListenersProbe implements GuiceProbe {
    private final SMTPServerFactory smtp;
    private final IMAPServerFactory imap;
    private final POP3ServerFactory pop3;
    private final WebAdminGuiceProbe webAdmin;

    @Inject
    public ListenersProbe(SMTPServerFactory smtp, IMAPServerFactory imap, POP3ServerFactory pop3, WebAdminGuiceProbe webAdmin) {
        this.smtp = smtp;
        this.imap = imap;
        this.pop3 = pop3;
        this.webAdmin = webAdmin;
    }

    public List<String> describe() {
        return ImmutableList.<String>builder()
            .addAll(lines("SMTP", smtp.getServers().stream()))
            .addAll(lines("IMAP", imap.getServers().stream()))
            .addAll(lines("POP3", pop3.getServers().stream()))
            .add(String.format("%-5s %-22s %s", "HTTP", "127.0.0.1:" + webAdmin.getWebAdminPort().getValue(), "webadmin (JWT)"))
            .build();
    }

    private static List<String> lines(String protocol, Stream<AbstractConfigurableAsyncServer> servers) {
        return servers
            .filter(AbstractConfigurableAsyncServer::isStarted)
            .flatMap(server -> Stream.of(server.getBoundAddresses())
                .map(address -> String.format("%-5s %-22s %s", protocol, address, security(server))))
            .collect(ImmutableList.toImmutableList());
    }

    private static String security(AbstractConfigurableAsyncServer server) {
        if ("secure".equals(server.getSocketType())) {
            return "implicit TLS";
        }
        return server.getStartTLSSupported() ? "STARTTLS" : "plain";
    }
}
