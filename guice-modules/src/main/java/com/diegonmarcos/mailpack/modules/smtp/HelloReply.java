package com.diegonmarcos.mailpack.modules.smtp;

import java.util.List;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;

/**
 * James 3.8.1 ends the first line of its EHLO and HELO replies with a parenthesis it never opened,
 * {@code 250-mail.example Hello client.example [192.0.2.1])} (left over from the older
 * {@code Hello name (host [ip])} form; also in 3.8.2). The reply is rebuilt without it; every other
 * line, the code and the end-of-session flag stay as they were.
 */
final class HelloReply {
    private HelloReply() {
    }

    static Response balanced(Response reply) {
        if (reply == null) {
            return null;
        }
        List<CharSequence> lines = reply.getLines();
        int prefix = reply.getRetCode().length() + 1; // "250-" or "250 "
        String first = lines.get(0).toString().substring(prefix);
        if (!first.endsWith("])") || first.indexOf('(') >= 0) {
            return reply;
        }
        SMTPResponse fixed = new SMTPResponse(reply.getRetCode(), first.substring(0, first.length() - 1));
        for (CharSequence line : lines.subList(1, lines.size())) {
            fixed.appendLine(line.toString().substring(prefix));
        }
        fixed.setEndSession(reply.isEndSession());
        return fixed;
    }
}
