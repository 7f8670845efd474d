package com.diegonmarcos.mailpack.rspamd;

/** rspamd could not give an answer: refused connection, timeout, HTTP error, unreadable reply. */
public class RspamdException extends Exception {
    public RspamdException(String message) {
        super(message);
    }

    public RspamdException(String message, Throwable cause) {
        super(message, cause);
    }
}
