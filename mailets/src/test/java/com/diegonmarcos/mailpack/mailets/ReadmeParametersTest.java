package com.diegonmarcos.mailpack.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** mailets/README.md documents exactly the parameters each mailet accepts (checkInitParameters). */
class ReadmeParametersTest {
    static final Path README = Path.of("README.md");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Za-z0-9]+)`\\s*\\|");

    /** The names in the first table after the heading that starts with {@code ### `<mailet>`}. */
    static Set<String> documentedParameters(String mailet) throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int heading = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("### `" + mailet + "`")) {
                heading = i;
            }
        }
        assertThat(heading).as("a '### `%s`' section in %s", mailet, README.toAbsolutePath()).isNotNegative();
        Set<String> names = new LinkedHashSet<>();
        boolean inTable = false;
        for (int i = heading + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            String line = lines.get(i);
            if (line.startsWith("| name |")) {
                inTable = true;
                continue;
            }
            if (inTable && !line.startsWith("|")) {
                break;
            }
            Matcher row = ROW.matcher(line);
            if (inTable && row.find()) {
                names.add(row.group(1));
            }
        }
        return names;
    }

    @Test
    void dkimSignTableMatchesTheAcceptedParameters() throws IOException {
        assertThat(documentedParameters("DkimSign")).containsExactlyInAnyOrderElementsOf(DkimSign.PARAMETERS);
    }

    @Test
    void dkimVerifyTableMatchesTheAcceptedParameters() throws IOException {
        assertThat(documentedParameters("DkimVerify")).containsExactlyInAnyOrderElementsOf(DkimVerify.PARAMETERS);
    }
}
