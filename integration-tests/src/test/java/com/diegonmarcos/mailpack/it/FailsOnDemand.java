package com.diegonmarcos.mailpack.it;

import java.util.ArrayList;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * Test-only mailet: fails the processing of a mail carrying {@code X-Test-Failure}, the way hostile
 * mail makes real code fail. {@code heap}: fills the heap until {@link OutOfMemoryError} (with
 * {@code -XX:+ExitOnOutOfMemoryError} the JVM exits, as it did in LocalDelivery for a 45 MiB mail);
 * {@code stack}: recurses until {@link StackOverflowError}. Other mail passes untouched.
 */
public class FailsOnDemand extends GenericMailet {
    static final String HEADER = "X-Test-Failure";

    @Override
    public void service(Mail mail) throws MessagingException {
        String[] failure = mail.getMessage().getHeader(HEADER);
        if (failure == null) {
            return;
        }
        switch (failure[0].trim()) {
            case "heap" -> exhaustHeap();
            case "stack" -> recurse(0);
            default -> throw new MessagingException("unknown " + HEADER + ": " + failure[0]);
        }
    }

    private static void exhaustHeap() {
        List<long[]> hog = new ArrayList<>();
        while (true) {
            hog.add(new long[1 << 20]);
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
