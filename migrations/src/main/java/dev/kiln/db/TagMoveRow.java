package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import dev.kiln.model.TagMoveReason;
import java.time.Instant;

/**
 * A row of {@code template_tag_moves}: one move of a tag. {@code fromVersion} is null for the move that created the
 * tag; {@code movedBy} is the API key that moved it, or the build or snapshot whose publish did.
 */
public record TagMoveRow(
        long id,
        String templateId,
        String tag,
        Integer fromVersion,
        int toVersion,
        TagMoveReason reason,
        String movedBy,
        Instant movedAt) {
    public TagMoveRow {
        requireNonNull(templateId, "templateId");
        requireNonNull(tag, "tag");
        requireNonNull(reason, "reason");
        requireNonNull(movedBy, "movedBy");
        requireNonNull(movedAt, "movedAt");
    }
}
