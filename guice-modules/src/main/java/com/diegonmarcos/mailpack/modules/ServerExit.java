package com.diegonmarcos.mailpack.modules;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the JVM when a part the server cannot run without (the queue broker, the embedded database)
 * has shut itself down: the process manager or container then restarts it, and a fresh start
 * recovers, where the running server would answer 451 to every message and fail every login for ever.
 * The JVM's shutdown hook stops the rest of the server as for a normal stop; if that hangs, the
 * process is halted after {@value #HALT_AFTER_SECONDS} s.
 */
public final class ServerExit {
    private static final Logger LOGGER = LoggerFactory.getLogger(ServerExit.class);
    /** EX_SOFTWARE (sysexits.h): an internal error, not a bad configuration. */
    public static final int STATUS = 70;
    static final int HALT_AFTER_SECONDS = 30;
    private static final AtomicBoolean EXITING = new AtomicBoolean();

    private ServerExit() {
    }

    /** Exits from a thread of its own (the caller may be one the shutdown waits for). */
    public static void now(String reason) {
        if (!EXITING.compareAndSet(false, true)) {
            return;
        }
        LOGGER.error("Exiting with status {} so that the server is restarted: {}", STATUS, reason);
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(HALT_AFTER_SECONDS * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(STATUS);
        }, "mailpack-exit-halt");
        halt.setDaemon(true);
        halt.start();
        Thread exit = new Thread(() -> System.exit(STATUS), "mailpack-exit");
        exit.start();
    }
}
