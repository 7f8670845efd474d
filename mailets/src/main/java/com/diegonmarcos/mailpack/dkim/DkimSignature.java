package com.diegonmarcos.mailpack.dkim;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A parsed, checked DKIM-Signature field (RFC 6376 §3.5). Anything malformed is refused at parse
 * time with a {@link DkimFormatException} whose message says what (a verifier reports it as
 * {@code neutral}, RFC 8601 §2.7.1); a signature that parses is safe to evaluate.
 */
public final class DkimSignature {
    /** Longer signature fields are not parsed at all (ours are about 600 characters). */
    public static final int MAX_FIELD_LENGTH = 16 * 1024;
    /** More h= entries are refused (over-signing 20 fields gives about 40). */
    public static final int MAX_SIGNED_FIELDS = 256;
    private static final Pattern DOMAIN = Pattern.compile(
        "(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,76}");

    private final HeaderField field;
    private final TagList tags;
    private final String algorithmName;
    private final DkimAlgorithm algorithm;
    private final byte[] signature;
    private final byte[] bodyHash;
    private final Canonicalization headerCanonicalization;
    private final Canonicalization bodyCanonicalization;
    private final String domain;
    private final String selector;
    private final List<String> signedFields;
    private final String auid;
    private final OptionalLong bodyLength;
    private final OptionalLong timestamp;
    private final OptionalLong expiration;

    private DkimSignature(HeaderField field, TagList tags) throws DkimFormatException {
        this.field = field;
        this.tags = tags;
        String version = tags.require("v");
        if (!"1".equals(version)) {
            throw new DkimFormatException("v=" + TagList.printable(version) + " is not version 1");
        }
        this.algorithmName = tags.require("a");
        this.algorithm = DkimAlgorithm.fromTag(algorithmName).orElse(null);
        this.signature = base64("b", tags.require("b"));
        this.bodyHash = base64("bh", tags.require("bh"));
        String canonicalization = tags.get("c").orElse("simple/simple");
        int slash = canonicalization.indexOf('/');
        this.headerCanonicalization = Canonicalization.parse(slash < 0 ? canonicalization : canonicalization.substring(0, slash));
        this.bodyCanonicalization = slash < 0 ? Canonicalization.SIMPLE : Canonicalization.parse(canonicalization.substring(slash + 1));
        this.domain = domainName("d", tags.require("d"));
        this.selector = tags.require("s");
        if (!SigningKey.isValidSelector(selector)) {
            throw new DkimFormatException("s=" + TagList.printable(selector) + " is not a selector");
        }
        this.signedFields = signedFields(tags.require("h"));
        this.auid = tags.get("i").map(TagList::withoutWhitespace).orElse("@" + domain);
        int at = auid.lastIndexOf('@');
        if (at < 0) {
            throw new DkimFormatException("i=" + TagList.printable(auid) + " has no @domain");
        }
        String auidDomain = domainName("i", auid.substring(at + 1)).toLowerCase(Locale.ROOT);
        String lowerDomain = domain.toLowerCase(Locale.ROOT);
        if (!auidDomain.equals(lowerDomain) && !auidDomain.endsWith("." + lowerDomain)) {
            throw new DkimFormatException("i= domain " + auidDomain + " is not d=" + lowerDomain + " or a subdomain of it");
        }
        this.bodyLength = number("l");
        this.timestamp = number("t");
        this.expiration = number("x");
        if (timestamp.isPresent() && expiration.isPresent() && expiration.getAsLong() < timestamp.getAsLong()) {
            throw new DkimFormatException("x= is before t=");
        }
        String query = tags.get("q").orElse("dns/txt");
        boolean dns = false;
        for (String method : TagList.withoutWhitespace(query).split(":")) {
            dns |= method.equalsIgnoreCase("dns/txt") || method.equalsIgnoreCase("dns");
        }
        if (!dns) {
            throw new DkimFormatException("q=" + TagList.printable(query) + " has no dns/txt");
        }
    }

    /**
     * @param field a DKIM-Signature header field
     * @throws DkimFormatException naming the first problem
     */
    public static DkimSignature parse(HeaderField field) throws DkimFormatException {
        if (field.raw().length() > MAX_FIELD_LENGTH) {
            throw new DkimFormatException("signature field longer than " + MAX_FIELD_LENGTH + " characters");
        }
        return new DkimSignature(field, TagList.parse(field.value(), MAX_FIELD_LENGTH));
    }

    /** What can be read from a field that did not parse, for the result's header.d / header.s. */
    public static Optional<String> bestEffortTag(HeaderField field, String name) {
        try {
            return TagList.parse(field.value(), MAX_FIELD_LENGTH).get(name).map(TagList::withoutWhitespace);
        } catch (DkimFormatException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private List<String> signedFields(String h) throws DkimFormatException {
        List<String> names = new ArrayList<>();
        boolean from = false;
        for (String name : TagList.withoutWhitespace(h).split(":", -1)) {
            if (name.isEmpty()) {
                throw new DkimFormatException("h= has an empty field name");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c < 0x21 || c > 0x7E || c == ':') {
                    throw new DkimFormatException("h= has an invalid field name");
                }
            }
            from |= name.equalsIgnoreCase("from");
            names.add(name);
            if (names.size() > MAX_SIGNED_FIELDS) {
                throw new DkimFormatException("h= names more than " + MAX_SIGNED_FIELDS + " fields");
            }
        }
        if (!from) {
            throw new DkimFormatException("h= does not include From (RFC 6376 §5.4)");
        }
        return List.copyOf(names);
    }

    private OptionalLong number(String tag) throws DkimFormatException {
        Optional<String> value = tags.get(tag);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        if (!DIGITS.matcher(value.get()).matches()) {
            throw new DkimFormatException(tag + "=" + TagList.printable(value.get()) + " is not a number");
        }
        if (value.get().length() > 18) {
            // larger than any body or any date: keep it representable
            return OptionalLong.of(Long.MAX_VALUE);
        }
        return OptionalLong.of(Long.parseLong(value.get()));
    }

    private static String domainName(String tag, String value) throws DkimFormatException {
        if (!DOMAIN.matcher(value).matches()) {
            throw new DkimFormatException(tag + "=" + TagList.printable(value) + " is not a domain name");
        }
        return value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
    }

    private static byte[] base64(String tag, String value) throws DkimFormatException {
        String compact = TagList.withoutWhitespace(value);
        if (compact.isEmpty()) {
            throw new DkimFormatException(tag + "= is empty");
        }
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            throw new DkimFormatException(tag + "= is not base64");
        }
    }

    public HeaderField field() {
        return field;
    }

    /** The a= value as written. */
    public String algorithmName() {
        return algorithmName;
    }

    /** Empty for algorithms mailpack does not verify (rsa-sha1, unknown ones). */
    public Optional<DkimAlgorithm> algorithm() {
        return Optional.ofNullable(algorithm);
    }

    public byte[] signature() {
        return signature.clone();
    }

    public byte[] bodyHash() {
        return bodyHash.clone();
    }

    public Canonicalization headerCanonicalization() {
        return headerCanonicalization;
    }

    public Canonicalization bodyCanonicalization() {
        return bodyCanonicalization;
    }

    /** d=, without a trailing dot. */
    public String domain() {
        return domain;
    }

    public String selector() {
        return selector;
    }

    /** h=, in order, as written (compare case-insensitively). */
    public List<String> signedFields() {
        return signedFields;
    }

    /** i=, or "@" + d= when absent. */
    public String auid() {
        return auid;
    }

    public OptionalLong bodyLength() {
        return bodyLength;
    }

    public OptionalLong timestamp() {
        return timestamp;
    }

    public OptionalLong expiration() {
        return expiration;
    }

    /** The first characters of b=, for header.b (RFC 6008). */
    public String signaturePrefix() {
        String b = TagList.withoutWhitespace(tags.get("b").orElse(""));
        return b.substring(0, Math.min(8, b.length()));
    }

    /** The field as the signer hashed it: b= emptied (RFC 6376 §3.7). */
    HeaderField withEmptySignature() {
        String raw = field.raw();
        int colon = raw.indexOf(':');
        return HeaderField.of(raw.substring(0, colon + 1) + tags.withEmptyValue("b"));
    }
}
