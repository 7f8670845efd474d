package com.diegonmarcos.mailpack.spf;

/** Ends an evaluation with temperror or permerror (RFC 7208 §2.6.6, §2.6.7). */
final class SpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final SpfResult result;

    private SpfException(SpfResult result, String message) {
        super(message, null, false, false);
        this.result = result;
    }

    static SpfException permerror(String message) {
        return new SpfException(SpfResult.PERMERROR, message);
    }

    static SpfException temperror(String message) {
        return new SpfException(SpfResult.TEMPERROR, message);
    }
}
