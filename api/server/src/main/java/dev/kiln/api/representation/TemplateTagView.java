package dev.kiln.api.representation;

import dev.kiln.db.TemplateTagRow;
import java.time.Instant;

/** Where a tag of a template points, and since when. */
public record TemplateTagView(String tag, int version, Instant movedAt) {
    public static TemplateTagView of(TemplateTagRow row) {
        return new TemplateTagView(row.tag(), row.version(), row.movedAt());
    }
}
