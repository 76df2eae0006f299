package dev.kiln.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a user sandbox is (table {@code sandboxes}). */
public enum SandboxStatus implements WireValue {
    /** Placed; its container is being created. */
    STARTING,
    RUNNING,
    PAUSED,
    /** Its host stopped heartbeating: the container may still run, and reconcile decides when the host returns. */
    MISSING,
    /** Destroyed, or found gone; final. */
    STOPPED;

    /** Holds its host's resources: placement counts it, and deleting its host needs force. */
    public boolean active() {
        return this == STARTING || this == RUNNING || this == MISSING;
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
    public static SandboxStatus of(String wire) {
        return WireValue.parse(SandboxStatus.class, wire);
    }
}
