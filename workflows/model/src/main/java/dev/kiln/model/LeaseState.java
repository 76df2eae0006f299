package dev.kiln.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A host's liveness lease (table {@code host_leases}): renewed by each heartbeat, expired by the sweeper. */
public enum LeaseState implements WireValue {
    /** Renewed before it expired. */
    LIVE,
    /** The sweeper found it past its expiry; the next heartbeat makes it live again. */
    EXPIRED;

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
    public static LeaseState of(String wire) {
        return WireValue.parse(LeaseState.class, wire);
    }
}
