package com.diegonmarcos.mailpack.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ZoneFileTest {
    @Test
    void shortRecordIsOneString() {
        assertThat(ZoneFile.txtLine("202611e", "diegonmarcos.com", "v=DKIM1; k=ed25519; p=abc"))
            .isEqualTo("202611e._domainkey.diegonmarcos.com. IN TXT \"v=DKIM1; k=ed25519; p=abc\"");
    }

    @Test
    void rsa2048RecordIsSplitIntoStringsOfAtMost255Octets() {
        String value = TestKeys.rsa("202611r").txtRecord();

        String line = ZoneFile.txtLine("202611r", "diegonmarcos.com", value);

        assertThat(value.length()).isGreaterThan(255);
        assertThat(line).startsWith("202611r._domainkey.diegonmarcos.com. IN TXT (\n    \"").endsWith("\" )");
        java.util.List<String> strings = new java.util.ArrayList<>();
        java.util.regex.Matcher quoted = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(line);
        while (quoted.find()) {
            strings.add(quoted.group(1));
        }
        assertThat(strings).hasSizeGreaterThan(1).allSatisfy(string -> assertThat(string.length()).isLessThanOrEqualTo(255));
        assertThat(String.join("", strings)).isEqualTo(value);
    }
}
