package dev.kiln.api.representation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.TagMoveRow;
import dev.kiln.model.TagMoveReason;
import java.time.Instant;

/** One move of a tag; {@code from_version} is left out for the move that created it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TagMoveView(
        String tag, Integer fromVersion, int toVersion, TagMoveReason reason, String movedBy, Instant movedAt) {
    public static TagMoveView of(TagMoveRow row) {
        return new TagMoveView(row.tag(), row.fromVersion(), row.toVersion(), row.reason(), row.movedBy(), row.movedAt());
    }
}
