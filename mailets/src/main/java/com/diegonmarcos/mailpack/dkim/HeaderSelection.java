package com.diegonmarcos.mailpack.dkim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** RFC 6376 §5.4.2: which instance of a field each h= entry covers (bottom-up), canonicalized. */
final class HeaderSelection {
    private HeaderSelection() {
    }

    /**
     * @return the canonical fields named by {@code h}, each with its CRLF; an entry with no
     *         instance left contributes nothing (the "null string" that over-signing relies on)
     */
    static String canonicalize(List<HeaderField> fields, List<String> h, Canonicalization canonicalization) {
        Map<String, List<HeaderField>> byName = new HashMap<>();
        for (HeaderField field : fields) {
            byName.computeIfAbsent(Canonicalization.asciiLowerCase(field.name()), name -> new ArrayList<>()).add(field);
        }
        Map<String, Integer> used = new HashMap<>();
        StringBuilder out = new StringBuilder();
        for (String name : h) {
            String key = Canonicalization.asciiLowerCase(name);
            List<HeaderField> instances = byName.get(key);
            int taken = used.getOrDefault(key, 0);
            if (instances == null || taken >= instances.size()) {
                continue;
            }
            out.append(canonicalization.header(instances.get(instances.size() - 1 - taken)));
            used.put(key, taken + 1);
        }
        return out.toString();
    }
}
