package dev.kiln.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a snapshot or flatten of a sandbox is (table {@code snapshots}). */
public enum SnapshotStatus implements WireValue {
    RUNNING,
    SUCCESS,
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
    public static SnapshotStatus of(String wire) {
        return WireValue.parse(SnapshotStatus.class, wire);
    }
}
