package dev.kiln.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a template build is (table {@code template_builds}). */
public enum BuildStatus implements WireValue {
    /** Submitted, not yet placed on a host. */
    PENDING,
    /** Placed; its steps run. */
    RUNNING,
    SUCCESS,
    FAILED,
    CANCELLED;

    /** True when nothing about the build changes any more. */
    public boolean terminal() {
        return this == SUCCESS || this == FAILED || this == CANCELLED;
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
    public static BuildStatus of(String wire) {
        return WireValue.parse(BuildStatus.class, wire);
    }
}
