package dev.kiln.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** One golden build on one host (table {@code golden_builds}). */
public enum GoldenBuildStatus implements WireValue {
    BUILDING,
    /** Purged and promoted as a new generation. */
    READY,
    FAILED,
    CANCELLED;

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
    public static GoldenBuildStatus of(String wire) {
        return WireValue.parse(GoldenBuildStatus.class, wire);
    }
}
