package dev.kiln.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A project's golden cache on one host (table {@code golden_hosts}), and over all its hosts. */
public enum GoldenStatus implements WireValue {
    /** No golden yet (or cleared). */
    NONE,
    /** A build runs; a previous generation, if any, still serves sessions. */
    BUILDING,
    /** A promoted generation serves sessions. */
    READY,
    /** The last build failed (a previous generation, if any, is kept and still serves sessions). */
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
    public static GoldenStatus of(String wire) {
        return WireValue.parse(GoldenStatus.class, wire);
    }
}
