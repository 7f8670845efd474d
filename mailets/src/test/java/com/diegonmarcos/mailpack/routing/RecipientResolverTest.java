package com.diegonmarcos.mailpack.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.domainlist.memory.MemoryDomainList;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.memory.MemoryRecipientRewriteTable;
import org.apache.james.user.memory.MemoryUsersRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecipientResolverTest {
    static final Domain DOMAIN = Domain.of("diegonmarcos.com");
    static final Domain OTHER = Domain.of("other.example");

    MemoryUsersRepository users;
    MemoryRecipientRewriteTable mappings;
    Map<Domain, CatchAllRule> rules;
    RecipientResolver resolver;

    @BeforeEach
    void setUp() throws Exception {
        MemoryDomainList domains = new MemoryDomainList(new InMemoryDNSService());
        domains.configure(DomainListConfiguration.builder().autoDetect(false).autoDetectIp(false).build());
        domains.addDomain(DOMAIN);
        domains.addDomain(OTHER);
        users = MemoryUsersRepository.withVirtualHosting(domains);
        users.addUser(Username.of("diego@diegonmarcos.com"), "secret-secret-secret");
        users.addUser(Username.of("bob@other.example"), "secret-secret-secret");
        mappings = new MemoryRecipientRewriteTable();
        mappings.setUsersRepository(users);
        mappings.setDomainList(domains);
        mappings.setUserEntityValidator(org.apache.james.UserEntityValidator.NOOP);
        mappings.setConfiguration(org.apache.james.rrt.api.RecipientRewriteTableConfiguration.DEFAULT_ENABLED);
        mappings.addAliasMapping(MappingSource.fromMailAddress(new MailAddress("me@diegonmarcos.com")), "diego@diegonmarcos.com");
        rules = new java.util.HashMap<>(Map.of(DOMAIN, new CatchAllRule(new MailAddress("diego@diegonmarcos.com"), Set.of("Sales"))));
        resolver = new RecipientResolver(users, mappings, new CatchAllRules() {
            @Override
            public Optional<CatchAllRule> forDomain(Domain domain) {
                return Optional.ofNullable(rules.get(domain));
            }

            @Override
            public Map<Domain, CatchAllRule> all() {
                return rules;
            }
        }, "+");
    }

    RecipientVerdict resolve(String address) throws Exception {
        return resolver.resolve(new MailAddress(address));
    }

    @Nested
    class KnownAddressesWin {
        @Test
        void userIsKnown() throws Exception {
            assertThat(resolve("diego@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.KNOWN);
        }

        @Test
        void aliasIsKnownEvenWithACatchAll() throws Exception {
            RecipientVerdict verdict = resolve("me@diegonmarcos.com");
            assertThat(verdict.kind()).isEqualTo(RecipientVerdict.Kind.KNOWN);
            assertThat(verdict.address()).isEqualTo(new MailAddress("me@diegonmarcos.com"));
        }

        @Test
        void userWhoseNameContainsTheSeparatorIsKnown() throws Exception {
            users.addUser(Username.of("a+b@diegonmarcos.com"), "secret-secret-secret");
            assertThat(resolve("a+b@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.KNOWN);
        }
    }

    @Nested
    class Subaddresses {
        @Test
        void subaddressOfAUserGoesToTheUserWithItsDetail() throws Exception {
            RecipientVerdict verdict = resolve("diego+news@diegonmarcos.com");
            assertThat(verdict.kind()).isEqualTo(RecipientVerdict.Kind.SUBADDRESS);
            assertThat(verdict.address()).isEqualTo(new MailAddress("diego@diegonmarcos.com"));
            assertThat(verdict.detail()).contains("news");
        }

        @Test
        void subaddressOfAnAliasGoesToTheAlias() throws Exception {
            assertThat(resolve("me+x@diegonmarcos.com").address()).isEqualTo(new MailAddress("me@diegonmarcos.com"));
        }

        @Test
        void emptyDetailIsTheUser() throws Exception {
            RecipientVerdict verdict = resolve("diego+@diegonmarcos.com");
            assertThat(verdict.address()).isEqualTo(new MailAddress("diego@diegonmarcos.com"));
            assertThat(verdict.detail()).contains("");
        }

        @Test
        void leadingSeparatorIsNotASubaddress() throws Exception {
            assertThat(resolve("+diego@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.CAUGHT);
        }

        @Test
        void subaddressOfAnUnknownLocalPartIsCaught() throws Exception {
            assertThat(resolve("nobody+tag@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.CAUGHT);
        }
    }

    @Nested
    class CatchAll {
        @Test
        void unknownLocalPartIsCaught() throws Exception {
            RecipientVerdict verdict = resolve("random123@diegonmarcos.com");
            assertThat(verdict.kind()).isEqualTo(RecipientVerdict.Kind.CAUGHT);
            assertThat(verdict.address()).isEqualTo(new MailAddress("diego@diegonmarcos.com"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"sales@diegonmarcos.com", "SALES@diegonmarcos.com", "sales+spring@diegonmarcos.com"})
        void excludedLocalPartIsUnknownWhateverTheCaseAndDetail(String address) throws Exception {
            assertThat(resolve(address).kind()).isEqualTo(RecipientVerdict.Kind.UNKNOWN);
        }

        @Test
        void domainWithoutCatchAllHasUnknownUsers() throws Exception {
            assertThat(resolve("nobody@other.example").kind()).isEqualTo(RecipientVerdict.Kind.UNKNOWN);
            assertThat(resolve("bob@other.example").kind()).isEqualTo(RecipientVerdict.Kind.KNOWN);
        }

        @Test
        void localPartOver64OctetsIsNotCaught() throws Exception {
            assertThat(resolve("a".repeat(64) + "@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.CAUGHT);
            assertThat(resolve("a".repeat(65) + "@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.UNKNOWN);
        }

        /**
         * Found by fuzz/ (RcptAddress): a quoted local part with an '@' is a valid RFC 5321 address,
         * but no user name; Username threw IllegalArgumentException and the RCPT hook answered 451.
         */
        @ParameterizedTest
        @ValueSource(strings = {"\"victim@example.org\"@diegonmarcos.com", "\"a@b+x\"@diegonmarcos.com", "\"diego@\"@other.example"})
        void localPartThatCannotBeAUserIsUnknownNotAnError(String address) throws Exception {
            assertThat(resolve(address).kind()).isEqualTo(RecipientVerdict.Kind.UNKNOWN);
        }

        @Test
        void ruleChangesApplyToTheNextLookup() throws Exception {
            rules.put(DOMAIN, new CatchAllRule(new MailAddress("other@diegonmarcos.com"), Set.of()));
            assertThat(resolve("random@diegonmarcos.com").address()).isEqualTo(new MailAddress("other@diegonmarcos.com"));
            rules.remove(DOMAIN);
            assertThat(resolve("random@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.UNKNOWN);
        }
    }

    @Nested
    class HostileLocalParts {
        @ParameterizedTest
        @ValueSource(strings = {"\"victim@example.org\"@diegonmarcos.com", "\"a@b\"@other.example", "\"diego@\"@diegonmarcos.com"})
        void localPartWithAnAtSignIsUnknownAndNeverAnError(String address) throws Exception {
            assertThat(resolve(address).kind()).isEqualTo(RecipientVerdict.Kind.UNKNOWN);
            assertThat(resolver.mailbox(new MailAddress(address))).isEqualTo(new MailAddress(address));
        }

        @ParameterizedTest
        @ValueSource(strings = {"victim%example.org@diegonmarcos.com", "example.org!victim@diegonmarcos.com", "\"a%b\"@diegonmarcos.com",
            "x%y+tag@diegonmarcos.com"})
        void sourceRouteFormsAreNotCaughtByDefault(String address) throws Exception {
            assertThat(resolve(address).kind()).isEqualTo(RecipientVerdict.Kind.UNKNOWN);
        }

        @Test
        void sourceRouteFormsAreCaughtWhenTheRuleAcceptsThem() throws Exception {
            rules.put(DOMAIN, new CatchAllRule(new MailAddress("diego@diegonmarcos.com"), Set.of(), SourceRouteForms.ACCEPT));
            assertThat(resolve("victim%example.org@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.CAUGHT);
            assertThat(resolve("example.org!victim@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.CAUGHT);
            assertThat(resolve("\"victim@example.org\"@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.UNKNOWN);
        }

        @Test
        void userOrAliasWithPercentOrBangIsKnown() throws Exception {
            users.addUser(Username.of("desk%a@diegonmarcos.com"), "secret-secret-secret");
            mappings.addAliasMapping(MappingSource.fromMailAddress(new MailAddress("ops!b@diegonmarcos.com")), "diego@diegonmarcos.com");
            assertThat(resolve("desk%a@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.KNOWN);
            assertThat(resolve("ops!b@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.KNOWN);
            assertThat(resolve("desk%a+x@diegonmarcos.com").kind()).isEqualTo(RecipientVerdict.Kind.SUBADDRESS);
        }

        @Test
        void sourceRouteFormsParseOnlyTheirTwoValues() {
            assertThat(SourceRouteForms.parse("refuse")).isEqualTo(SourceRouteForms.REFUSE);
            assertThat(SourceRouteForms.parse("accept")).isEqualTo(SourceRouteForms.ACCEPT);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SourceRouteForms.parse("Accept"))
                .hasMessage("sourceRouteForms must be 'refuse' or 'accept', got 'Accept'");
        }
    }

    /** The mailbox per-recipient limits count against. */
    @Nested
    class Mailbox {
        @Test
        void userIsItsOwnMailbox() throws Exception {
            assertThat(resolver.mailbox(new MailAddress("diego@diegonmarcos.com"))).isEqualTo(new MailAddress("diego@diegonmarcos.com"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"diego+news@diegonmarcos.com", "me@diegonmarcos.com", "me+x@diegonmarcos.com", "random123@diegonmarcos.com",
            "RANDOM+x@diegonmarcos.com"})
        void subaddressAliasAndCaughtLocalPartAreTheMailboxTheyReach(String address) throws Exception {
            assertThat(resolver.mailbox(new MailAddress(address))).isEqualTo(new MailAddress("diego@diegonmarcos.com"));
        }

        @Test
        void catchAllTargetThatIsAnAliasIsFollowedToItsUser() throws Exception {
            rules.put(DOMAIN, new CatchAllRule(new MailAddress("me@diegonmarcos.com"), Set.of()));
            assertThat(resolver.mailbox(new MailAddress("anything@diegonmarcos.com"))).isEqualTo(new MailAddress("diego@diegonmarcos.com"));
        }

        @Test
        void aliasWithSeveralTargetsIsItsOwnMailbox() throws Exception {
            mappings.addAliasMapping(MappingSource.fromMailAddress(new MailAddress("team@diegonmarcos.com")), "diego@diegonmarcos.com");
            mappings.addAliasMapping(MappingSource.fromMailAddress(new MailAddress("team@diegonmarcos.com")), "bob@other.example");
            assertThat(resolver.mailbox(new MailAddress("team@diegonmarcos.com"))).isEqualTo(new MailAddress("team@diegonmarcos.com"));
        }

        @Test
        void unknownRecipientIsItsOwnMailbox() throws Exception {
            assertThat(resolver.mailbox(new MailAddress("nobody@other.example"))).isEqualTo(new MailAddress("nobody@other.example"));
        }
    }
}
