package dev.kiln.workflows.golden;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.kiln.model.WireValue;

/**
 * Where a project's {@code golden-<project>} workflow is between and during its rounds: what its {@code state} query
 * answers and what it upserts as KilnStatus. Each host's own progress is a {@link dev.kiln.model.GoldenStatus}.
 */
public enum GoldenRound implements WireValue {
    /** No round runs; the workflow waits for a trigger. */
    IDLE,
    /** A round runs, one child per host. */
    BUILDING,
    /** A round runs and a trigger during it queued the next one. */
    QUEUED,
    /** The last round was cancelled. */
    CANCELLED;

    @JsonValue
    @Override
    public String wire() {
        return WireValue.spell(this);
    }

    @Override
    public String toString() {
        return wire();
    }

    @JsonCreator
    public static GoldenRound of(String wire) {
        return WireValue.parse(GoldenRound.class, wire);
    }
}
