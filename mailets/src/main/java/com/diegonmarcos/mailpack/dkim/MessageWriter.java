package com.diegonmarcos.mailpack.dkim;

import java.io.IOException;
import java.io.OutputStream;

/** Writes a whole message (header, empty line, body) as it is or will be transmitted. */
@FunctionalInterface
public interface MessageWriter {
    void writeTo(OutputStream out) throws IOException;

    static MessageWriter of(byte[] message) {
        return out -> out.write(message);
    }
}
