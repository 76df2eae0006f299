package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A row of {@code template_tags}: where a tag of a template points now. */
public record TemplateTagRow(String templateId, String tag, int version, Instant movedAt) {
    public TemplateTagRow {
        requireNonNull(templateId, "templateId");
        requireNonNull(tag, "tag");
        requireNonNull(movedAt, "movedAt");
    }
}
