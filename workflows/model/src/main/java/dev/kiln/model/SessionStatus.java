package dev.kiln.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A dev session started from a project's golden (table {@code sessions}). */
public enum SessionStatus implements WireValue {
    /** Its copy of the golden is being made. */
    STARTING,
    /** Its own Docker daemon answers. */
    RUNNING,
    STOPPED,
    FAILED;

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
    public static SessionStatus of(String wire) {
        return WireValue.parse(SessionStatus.class, wire);
    }
}
