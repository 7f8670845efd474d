package com.diegonmarcos.mailpack.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.Violation;

/**
 * RFC 6376 §3.2 tag lists ({@link TagList#parse}) and DKIM key records ({@link DkimKeyRecord#parse}),
 * as a DNS TXT answer or a signature field brings them. The input is the text, one octet per char.
 *
 * <p>Contract: both return or throw {@link DkimFormatException}, nothing else. Round trips: the
 * tags written back as {@code name=value; ...} parse to the same tags; each tag's raw region holds
 * its value; {@link TagList#withEmptyValue} empties exactly that tag. A key record that parses
 * answers its accessors without throwing.
 */
public final class DkimTagListFuzzer {
    private DkimTagListFuzzer() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("tag list / key record", data, DkimTagListFuzzer::test);
    }

    static void test(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        TagList tags = null;
        try {
            tags = TagList.parse(text, DkimSignature.MAX_FIELD_LENGTH);
        } catch (DkimFormatException e) {
            // documented
        }
        if (tags != null) {
            roundTrip(tags);
        }
        try {
            DkimKeyRecord key = DkimKeyRecord.parse(text);
            key.keyType();
            key.allowsSha256();
            key.algorithm();
            if (!key.revoked()) {
                Violation.check(key.keyBits() > 0, () -> "a key that is not revoked has " + key.keyBits() + " bits");
            }
        } catch (DkimFormatException e) {
            // documented
        }
    }

    private static void roundTrip(TagList tags) throws DkimFormatException {
        String raw = tags.raw();
        List<String> parts = new ArrayList<>();
        for (String name : tags.names()) {
            TagList.Tag tag = tags.tag(name).orElseThrow();
            String region = raw.substring(tag.regionStart(), tag.regionEnd());
            Violation.check(region.strip().equals(tag.value()) || stripFws(region).equals(tag.value()),
                () -> "tag " + name + ": region '" + Violation.show(region) + "' does not hold value '" + Violation.show(tag.value()) + "'");
            parts.add(name + "=" + tag.value());
            TagList emptied = TagList.parse(tags.withEmptyValue(name), Integer.MAX_VALUE);
            Violation.check(emptied.get(name).orElse("?").isEmpty(), () -> "withEmptyValue(" + name + ") left '"
                + Violation.show(emptied.get(name).orElse("<missing>")) + "'");
            Violation.check(emptied.names().equals(tags.names()), () -> "withEmptyValue(" + name + ") changed the tag names");
        }
        TagList again = TagList.parse(String.join("; ", parts), Integer.MAX_VALUE);
        Violation.check(again.names().equals(tags.names()), () -> "names differ after a round trip: " + tags.names() + " / " + again.names());
        for (String name : tags.names()) {
            Violation.check(again.get(name).equals(tags.get(name)), () -> "tag " + name + " differs after a round trip");
        }
    }

    private static String stripFws(String text) {
        int from = 0;
        int to = text.length();
        while (from < to && " \t\r\n".indexOf(text.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && " \t\r\n".indexOf(text.charAt(to - 1)) >= 0) {
            to--;
        }
        return text.substring(from, to);
    }
}
