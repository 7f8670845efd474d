package com.diegonmarcos.mailpack.fuzz;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The time contract of every target: one input may cost at most {@value #MAX_CPU_MILLIS} ms of CPU
 * in the fuzzing thread (catastrophic regex backtracking, quadratic loops). CPU time, not wall
 * time, so that a loaded machine (the run is niced, other jobs share the cores) gives no false
 * findings; an input over the budget is run a second time and is a finding only if it is slow
 * again (the first run of a code path also pays class loading and Jazzer's instrumentation).
 * libFuzzer's {@code -timeout} remains the backstop for an input that never returns.
 */
public final class Budget {
    public static final long MAX_CPU_MILLIS = 1000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** One target's work on one input. */
    @FunctionalInterface
    public interface Target {
        void run(byte[] data) throws Exception;
    }

    private Budget() {
    }

    /** Runs {@code target} on {@code data}; @throws SlowInput when it takes more than the budget twice */
    public static void guard(String what, byte[] data, Target target) throws Exception {
        long first = timed(data, target);
        if (first > MAX_CPU_MILLIS) {
            long second = timed(data, target);
            if (second > MAX_CPU_MILLIS) {
                throw new SlowInput(what + " took " + first + " then " + second + " ms of CPU for one input of " + data.length
                    + " octets (budget " + MAX_CPU_MILLIS + " ms)");
            }
        }
    }

    private static long timed(byte[] data, Target target) throws Exception {
        long start = THREADS.getCurrentThreadCpuTime();
        target.run(data);
        return (THREADS.getCurrentThreadCpuTime() - start) / 1_000_000;
    }

    /** A finding: an input that is too expensive. */
    public static final class SlowInput extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SlowInput(String message) {
            super(message);
        }
    }
}
