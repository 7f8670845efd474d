package com.diegonmarcos.mailpack.dmarc;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;

/**
 * The RFC5322.From domains of a message (RFC 7489 §6.6.1): every address of every From field,
 * duplicates removed. A field JavaMail cannot parse strictly is read leniently (every
 * {@code @domain} in it) rather than ignored, so a malformed From cannot dodge the policy of the
 * domain it shows. At most {@value #MAX_DOMAINS} domains are returned.
 */
public final class FromDomains {
    static final int MAX_DOMAINS = 10;
    private static final Pattern AT_DOMAIN = Pattern.compile("@\\s*([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)");

    private FromDomains() {
    }

    /** @param fieldValues the unfolded values of the From fields, in order */
    public static List<String> of(List<String> fieldValues) {
        Set<String> domains = new LinkedHashSet<>();
        for (String value : fieldValues) {
            String unfolded = value.replaceAll("\r?\n[ \t]", " ");
            boolean strict = false;
            try {
                InternetAddress[] addresses = InternetAddress.parseHeader(unfolded, true);
                List<String> found = new ArrayList<>();
                for (InternetAddress address : addresses) {
                    String text = address.getAddress();
                    int at = text == null ? -1 : text.lastIndexOf('@');
                    if (at > 0 && at < text.length() - 1) {
                        found.add(OrganizationalDomain.normalize(text.substring(at + 1)));
                    }
                }
                if (!found.isEmpty() && found.size() == addresses.length) {
                    domains.addAll(found);
                    strict = true;
                }
            } catch (AddressException e) {
                // read leniently below
            }
            if (!strict) {
                Matcher matcher = AT_DOMAIN.matcher(unfolded);
                while (matcher.find()) {
                    domains.add(OrganizationalDomain.normalize(matcher.group(1)));
                }
            }
        }
        return new ArrayList<>(domains).subList(0, Math.min(MAX_DOMAINS, domains.size()));
    }
}
