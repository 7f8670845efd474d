package com.diegonmarcos.mailpack.routing;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.UserEntityValidator;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.domainlist.memory.MemoryDomainList;
import org.apache.james.rrt.api.RecipientRewriteTableConfiguration;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.memory.MemoryRecipientRewriteTable;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.user.memory.MemoryUsersRepository;

import com.diegonmarcos.mailpack.fuzz.Budget;
import com.diegonmarcos.mailpack.fuzz.Violation;

/**
 * The address handling of our RCPT hooks (smtp.ValidLocalRecipient, smtp.InboundRateLimit) on the
 * argument of {@code RCPT TO:} as a client sends it. The input is the text after the colon; it goes
 * the way James 3.8.1's RcptCmdHandler takes it (options cut after {@code "> "}, brackets removed, the
 * default domain added to a bare local part, {@code new MailAddress}: a failure there is James' 553,
 * not ours), then through {@link Subaddress#parse} with several separators and
 * {@link RecipientResolver#resolve} over real in-memory users, aliases and a catch-all.
 *
 * <p>Contract: {@code resolve} returns a verdict (its documented exceptions are the store's
 * {@link UsersRepositoryException} and {@link RecipientRewriteTableException}, which only mean
 * "answer 451"; the in-memory stores never fail, so here any exception is a finding: the hook would
 * answer 451 with a stack trace to a syntax the SMTP parser accepted). A subaddress splits the
 * local part exactly: {@code base + separator + detail}. A caught verdict never goes to an excluded
 * or over-long local part.
 */
public final class RcptAddressFuzzer {
    private static final Domain LOCAL = Domain.of("diegonmarcos.com");
    private static final Domain OTHER = Domain.of("other.example");
    private static final String[] SEPARATORS = {"+", "-", "+-", "."};
    private static RecipientResolver[] resolvers;
    private static MemoryDomainList domains;

    private RcptAddressFuzzer() {
    }

    public static void fuzzerInitialize() throws Exception {
        domains = new MemoryDomainList(new InMemoryDNSService());
        domains.configure(DomainListConfiguration.builder().autoDetect(false).autoDetectIp(false).build());
        domains.addDomain(LOCAL);
        domains.addDomain(OTHER);
        MemoryUsersRepository users = MemoryUsersRepository.withVirtualHosting(domains);
        users.addUser(Username.of("diego@diegonmarcos.com"), "secret-secret-secret");
        users.addUser(Username.of("bob@other.example"), "secret-secret-secret");
        MemoryRecipientRewriteTable mappings = new MemoryRecipientRewriteTable();
        mappings.setUsersRepository(users);
        mappings.setDomainList(domains);
        mappings.setUserEntityValidator(UserEntityValidator.NOOP);
        mappings.setConfiguration(RecipientRewriteTableConfiguration.DEFAULT_ENABLED);
        mappings.addAliasMapping(MappingSource.fromMailAddress(new MailAddress("me@diegonmarcos.com")), "diego@diegonmarcos.com");
        Map<Domain, CatchAllRule> rules = Map.of(LOCAL, new CatchAllRule(new MailAddress("diego@diegonmarcos.com"), Set.of("sales", "abuse")));
        CatchAllRules catchAll = new CatchAllRules() {
            @Override
            public Optional<CatchAllRule> forDomain(Domain domain) {
                return Optional.ofNullable(rules.get(domain));
            }

            @Override
            public Map<Domain, CatchAllRule> all() {
                return rules;
            }
        };
        resolvers = new RecipientResolver[SEPARATORS.length];
        for (int i = 0; i < SEPARATORS.length; i++) {
            resolvers[i] = new RecipientResolver(users, mappings, catchAll, SEPARATORS[i]);
        }
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        Budget.guard("RCPT address handling", data, RcptAddressFuzzer::test);
    }

    static void test(byte[] data) throws Exception {
        Optional<MailAddress> parsed = asJamesParsesIt(new String(data, StandardCharsets.UTF_8));
        if (parsed.isEmpty()) {
            return;
        }
        MailAddress recipient = parsed.get();
        if (!domains.containsDomain(recipient.getDomain())) {
            return; // left to the relay check
        }
        for (int i = 0; i < SEPARATORS.length; i++) {
            String separator = SEPARATORS[i];
            Optional<Subaddress> subaddress = Subaddress.parse(recipient, separator);
            if (subaddress.isPresent()) {
                String joined = subaddress.get().base().getLocalPart() + separator + subaddress.get().detail();
                Violation.check(joined.equals(recipient.getLocalPart()), () -> "subaddress of " + Violation.show(recipient.asString())
                    + " with '" + separator + "' does not rejoin: " + Violation.show(joined));
                Violation.check(subaddress.get().base().getDomain().equals(recipient.getDomain()), () -> "subaddress changed the domain");
            }
            RecipientVerdict verdict;
            try {
                verdict = resolvers[i].resolve(recipient);
            } catch (RuntimeException e) {
                throw new Violation("resolve(" + Violation.show(recipient.asString()) + ") with separator '" + separator
                    + "' threw " + e + " (the RCPT hook answers 451 instead of a verdict)");
            }
            if (verdict.kind() == RecipientVerdict.Kind.CAUGHT) {
                String base = subaddress.map(s -> s.base().getLocalPart()).orElse(recipient.getLocalPart()).toLowerCase(java.util.Locale.ROOT);
                Violation.check(!base.equals("sales") && !base.equals("abuse"), () -> "catch-all took excluded " + Violation.show(recipient.asString()));
                Violation.check(recipient.getLocalPart().getBytes(StandardCharsets.UTF_8).length <= 64, () -> "catch-all took an over-long local part");
            }
            // what InboundRateLimit counts against
            Subaddress.parse(recipient, separator).map(Subaddress::base).orElse(recipient).asString();
        }
    }

    /** James 3.8.1 RcptCmdHandler.doFilterChecks, without the session: the address, or empty where James answers 501/553. */
    static Optional<MailAddress> asJamesParsesIt(String argument) {
        String recipient = argument.trim();
        int lastChar = recipient.lastIndexOf('>');
        if (lastChar > 0 && recipient.length() > lastChar + 2 && recipient.charAt(lastChar + 1) == ' ') {
            recipient = recipient.substring(0, lastChar + 1);
        }
        if (recipient.startsWith("<") && recipient.endsWith(">") && recipient.length() >= 2) {
            recipient = recipient.substring(1, recipient.length() - 1);
        }
        if (!recipient.contains("@")) {
            recipient = recipient + "@" + LOCAL.asString();
        }
        try {
            return Optional.of(new MailAddress(recipient));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
