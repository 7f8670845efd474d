package com.diegonmarcos.mailpack.server;

/**
 * How long the embedded Derby database lets a transaction wait for a lock before it looks for a
 * deadlock ({@value #DEADLOCK_PROPERTY}, Derby's default 20 s). mailpack's own store takes locks in
 * one order (a mailbox's row before its messages' rows), so a cycle should not form; when one still
 * does (two sessions copying between the same two mailboxes in opposite directions at once), one
 * command fails after a second and the client retries it, instead of every session on the server
 * standing still for 20 s. Derby reads the property when it boots, so {@link MailpackServer#create}
 * sets it before the database exists; a {@code -D} on the command line wins.
 */
final class DerbyLockTimeouts {
    static final String DEADLOCK_PROPERTY = "derby.locks.deadlockTimeout";
    static final String DEADLOCK_SECONDS = "1";

    private DerbyLockTimeouts() {
    }

    static void detectDeadlocksQuickly() {
        if (System.getProperty(DEADLOCK_PROPERTY) == null) {
            System.setProperty(DEADLOCK_PROPERTY, DEADLOCK_SECONDS);
        }
    }
}
