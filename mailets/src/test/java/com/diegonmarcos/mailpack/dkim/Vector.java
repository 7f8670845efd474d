package com.diegonmarcos.mailpack.dkim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A protocol test vector from {@code src/test/resources/vectors/dkim/}: {@code key: value} lines
 * ({@code source:} is required and names where the data comes from), then sections that start with
 * a {@code name:} line alone and run to the next one. Lines starting with {@code #} are comments.
 * Message text is stored with LF line ends and used with CRLF, as it travels.
 */
public final class Vector {
    private final String file;
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final Map<String, List<String>> sections = new LinkedHashMap<>();

    private Vector(String file, List<String> lines) {
        this.file = file;
        String section = null;
        for (String line : lines) {
            if (section == null && line.startsWith("#")) {
                continue;
            }
            if (line.matches("[a-z0-9-]+:") ) {
                section = line.substring(0, line.length() - 1);
                sections.put(section, new ArrayList<>());
                continue;
            }
            if (section != null) {
                sections.get(section).add(line);
                continue;
            }
            int colon = line.indexOf(": ");
            if (colon > 0) {
                values.computeIfAbsent(line.substring(0, colon), key -> new ArrayList<>()).add(line.substring(colon + 2));
            }
        }
        if (!values.containsKey("source")) {
            throw new IllegalStateException(file + " has no source: line");
        }
    }

    public static Stream<Vector> all(String suffix) {
        try {
            Path directory = Path.of(Vector.class.getResource("/vectors/dkim").toURI());
            try (Stream<Path> files = Files.list(directory)) {
                return files.filter(path -> path.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .map(Vector::load)
                    .collect(java.util.stream.Collectors.toList())
                    .stream();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Vector load(Path path) {
        try {
            return new Vector(path.getFileName().toString(), Files.readAllLines(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String value(String key) {
        return values(key).get(0);
    }

    public List<String> values(String key) {
        return values.getOrDefault(key, List.of());
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public boolean hasSection(String name) {
        return sections.containsKey(name);
    }

    /** A section's lines joined with CRLF, each line ended (as a message travels). */
    public String crlf(String section) {
        StringBuilder out = new StringBuilder();
        for (String line : sections.get(section)) {
            out.append(line).append("\r\n");
        }
        return out.toString();
    }

    /** A section in RFC 6376 §3.4.5 notation: layout spaces dropped, &lt;SP&gt;, &lt;HTAB&gt;, &lt;CRLF&gt; decoded. */
    public String rfcNotation(String section) {
        StringBuilder out = new StringBuilder();
        for (String line : sections.get(section)) {
            out.append(line.replace(" ", "").replace("<SP>", " ").replace("<HTAB>", "\t").replace("<CRLF>", "\r\n"));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return file + " (" + value("source") + ")";
    }
}
