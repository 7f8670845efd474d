package com.diegonmarcos.mailpack.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.james.core.Domain;
import org.apache.james.core.Username;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.domainlist.memory.MemoryDomainList;
import org.apache.james.user.memory.MemoryUsersRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The policy where passwords are set (create, change), with James' in-memory repository behind. */
class PolicyEnforcingUsersRepositoryTest {
    static final Username DIEGO = Username.of("diego@diegonmarcos.com");

    MemoryUsersRepository stored;
    PolicyEnforcingUsersRepository users;

    @BeforeEach
    void setUp() throws Exception {
        MemoryDomainList domains = new MemoryDomainList(null);
        domains.configure(DomainListConfiguration.builder().autoDetect(false).autoDetectIp(false)
            .addConfiguredDomain(Domain.of("diegonmarcos.com")));
        stored = MemoryUsersRepository.withVirtualHosting(domains);
        users = new PolicyEnforcingUsersRepository(stored, PasswordPolicy.withBundledList());
    }

    @Test
    void creatingAUserWithThePasswordContainingItsNameIsRefusedAndNoUserIsCreated() throws Exception {
        assertThatThrownBy(() -> users.addUser(DIEGO, "diego-is-my-login-diego")).hasMessageContaining("contains the user name");
        assertThat(users.contains(DIEGO)).isFalse();
    }

    @Test
    void changingToAPasswordWithTheUserNameIsRefusedAndTheOldOneStillWorks() throws Exception {
        users.addUser(DIEGO, "original-password-123456");
        assertThatThrownBy(() -> users.getUserByName(DIEGO).setPassword("Diego2024Diego2024!")).hasMessageContaining("contains the user name");
        assertThat(users.test(DIEGO, "original-password-123456")).isTrue();
    }

    @Test
    void aGoodChangeIsStored() throws Exception {
        users.addUser(DIEGO, "original-password-123456");
        var user = users.getUserByName(DIEGO);
        assertThat(user.setPassword("summer-holiday-in-lisbon-2024")).isTrue();
        users.updateUser(user);
        assertThat(users.test(DIEGO, "summer-holiday-in-lisbon-2024")).isTrue();
    }

    @Test
    void aUserWhosePasswordPredatesTheRulesStillLogsIn() throws Exception {
        stored.addUser(DIEGO, "Password1234567!"); // set before the policy had this rule
        assertThat(users.test(DIEGO, "Password1234567!")).isTrue();
    }
}
