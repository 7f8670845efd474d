package com.diegonmarcos.mailpack.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * Test-only mailet: writes a marker file (parameter {@code marker}) when a mail reaches it, then
 * blocks forever. It holds a dequeued, not yet acknowledged mail inside the server, so a SIGKILL
 * lands exactly "after 250, before delivery".
 */
public class StallUntilKilled extends GenericMailet {
    private final CountDownLatch never = new CountDownLatch(1);

    @Override
    public void service(Mail mail) throws MessagingException {
        try {
            Files.writeString(Path.of(getInitParameter("marker")), mail.getName());
            never.await();
        } catch (IOException e) {
            throw new MessagingException("cannot write the marker", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("interrupted", e);
        }
    }
}
