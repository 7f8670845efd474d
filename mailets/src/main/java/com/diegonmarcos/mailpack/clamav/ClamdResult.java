package com.diegonmarcos.mailpack.clamav;

import java.util.Optional;

/** clamd's answer for one stream: clean, infected (with the signature name) or over its StreamMaxLength. */
public record ClamdResult(Status status, Optional<String> signature) {
    public enum Status { CLEAN, INFECTED, TOO_LARGE }

    public static ClamdResult clean() {
        return new ClamdResult(Status.CLEAN, Optional.empty());
    }

    public static ClamdResult infected(String signature) {
        return new ClamdResult(Status.INFECTED, Optional.of(signature));
    }

    public static ClamdResult tooLarge() {
        return new ClamdResult(Status.TOO_LARGE, Optional.empty());
    }
}
