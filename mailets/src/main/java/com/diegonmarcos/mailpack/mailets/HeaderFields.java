package com.diegonmarcos.mailpack.mailets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

/**
 * Header edits JavaMail has no method for: putting fields on top of the header (where RFC 6376
 * §5.6 and RFC 8601 §4 want DKIM-Signature and Authentication-Results), optionally dropping some
 * existing fields. The other fields keep their order and their raw text (folding included).
 *
 * <p>JavaMail's {@code removeHeader} leaves an empty slot where a field was, and a later
 * {@code setHeader} of that name refills the slot: after {@code saveChanges()} the MIME-Version
 * field moves back above the prepended fields. Field order across names does not matter to DKIM or
 * to RFC 8601 readers; the relative order of same-named fields is kept.
 */
public final class HeaderFields {
    private HeaderFields() {
    }

    /**
     * @param fields whole fields ("Name: value", folded with CRLF + tab), put on top in this order
     * @param keep which existing raw lines stay
     */
    public static void prepend(MimeMessage message, List<String> fields, Predicate<String> keep) throws MessagingException {
        List<String> existing = Collections.list(message.getAllHeaderLines());
        Set<String> names = new LinkedHashSet<>();
        for (Header header : Collections.list(message.getAllHeaders())) {
            names.add(header.getName());
        }
        for (String name : names) {
            message.removeHeader(name);
        }
        for (String field : fields) {
            message.addHeaderLine(field);
        }
        for (String line : existing) {
            if (keep.test(line)) {
                message.addHeaderLine(line);
            }
        }
    }

    /** The values of every field named {@code name}, as raw lines. */
    static List<String> rawLines(MimeMessage message, String name) throws MessagingException {
        return new ArrayList<>(Collections.list(message.getMatchingHeaderLines(new String[] {name})));
    }
}
