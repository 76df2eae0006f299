package dev.kiln.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where a host is. {@code hosts.status} stores the first three; draining is a flag beside them (an operator's choice
 * that survives outages), shown as the status of an online host; deleted is the host workflow's last state, after
 * its row is gone.
 */
public enum HostStatus implements WireValue {
    /** Created with a one-time token; kiln-host has not registered yet. */
    PENDING,
    ONLINE,
    /** Silent past the heartbeat timeout. */
    UNREACHABLE,
    /** Online and draining: takes no new work. Shown, never stored. */
    DRAINING,
    /** Deleted: the host workflow's final state. Never stored. */
    DELETED;

    /** True for the values {@code hosts.status} holds. */
    public boolean stored() {
        return this == PENDING || this == ONLINE || this == UNREACHABLE;
    }

    @JsonValue
    @Override
    public String wire() {
        return WireValue.spell(this);
    }

    /** The spelling, so that messages and logs read as the API does. */
    @Override
    public String toString() {
        return wire();
    }

    @JsonCreator
    public static HostStatus of(String wire) {
        return WireValue.parse(HostStatus.class, wire);
    }
}
