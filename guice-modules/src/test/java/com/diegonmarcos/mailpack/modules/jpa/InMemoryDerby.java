package com.diegonmarcos.mailpack.modules.jpa;

import java.util.Map;
import java.util.UUID;

import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

/** mailpack's persistence unit on a new, empty in-memory Derby database. */
final class InMemoryDerby {
    private InMemoryDerby() {
    }

    static EntityManagerFactory entityManagerFactory(String name) {
        return Persistence.createEntityManagerFactory("Global", Map.of(
            "openjpa.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver",
            "openjpa.ConnectionURL", "jdbc:derby:memory:" + name + "-" + UUID.randomUUID() + ";create=true"));
    }
}
