package dev.kiln.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Why a template's tag moved (table {@code template_tag_moves}). */
public enum TagMoveReason implements WireValue {
    /** a build published a new version, and {@code latest} moved to it */
    BUILD,
    /** a snapshot published a new version, and {@code latest} moved to it */
    SNAPSHOT,
    /** someone set the tag */
    SET,
    /** someone moved the tag back to a version it held before */
    ROLLBACK,
    /** the template predates versions and became its own version 1 */
    MIGRATION;

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
    public static TagMoveReason of(String wire) {
        return WireValue.parse(TagMoveReason.class, wire);
    }
}
