package com.diegonmarcos.mailpack.dns;

import java.util.List;
import java.util.Objects;

/** The outcome of a lookup (TXT, or another type through {@link DnsClient#lookup}): records as text, or why there are none. */
public final class TxtResult {
    public enum Status {
        /** One or more TXT records. */
        FOUND,
        /** The name does not exist (NXDOMAIN). */
        NXDOMAIN,
        /** The name exists but has no TXT record. */
        NO_DATA,
        /** No answer could be had: timeout, SERVFAIL, REFUSED, network error. Retrying may help. */
        TEMP_ERROR,
        /** The question cannot be asked: the name is not a valid domain name. */
        INVALID_NAME
    }

    private final Status status;
    private final List<String> records;
    private final String detail;

    private TxtResult(Status status, List<String> records, String detail) {
        this.status = status;
        this.records = List.copyOf(records);
        this.detail = detail;
    }

    public static TxtResult found(List<String> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("found needs at least one record");
        }
        return new TxtResult(Status.FOUND, records, "");
    }

    public static TxtResult nxdomain(String name) {
        return new TxtResult(Status.NXDOMAIN, List.of(), name + ": no such domain (NXDOMAIN)");
    }

    public static TxtResult noData(String name) {
        return noData(name, "TXT");
    }

    public static TxtResult noData(String name, String type) {
        return new TxtResult(Status.NO_DATA, List.of(), name + ": no " + type + " record");
    }

    public static TxtResult tempError(String detail) {
        return new TxtResult(Status.TEMP_ERROR, List.of(), detail);
    }

    public static TxtResult invalidName(String detail) {
        return new TxtResult(Status.INVALID_NAME, List.of(), detail);
    }

    public Status status() {
        return status;
    }

    /** The records (empty unless {@link Status#FOUND}). */
    public List<String> records() {
        return records;
    }

    /** Why there is no record, for logs and result comments ("" when found). */
    public String detail() {
        return detail;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TxtResult)) {
            return false;
        }
        TxtResult other = (TxtResult) o;
        return status == other.status && records.equals(other.records) && detail.equals(other.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, records, detail);
    }

    @Override
    public String toString() {
        return status == Status.FOUND ? "FOUND" + records : status + " (" + detail + ")";
    }
}
