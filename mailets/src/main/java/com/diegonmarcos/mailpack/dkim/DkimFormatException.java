package com.diegonmarcos.mailpack.dkim;

/** A DKIM-Signature field or key record that does not follow the syntax; the message says why. */
public class DkimFormatException extends Exception {
    public DkimFormatException(String message) {
        super(message);
    }

    public DkimFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
