package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import org.jdbi.v3.core.mapper.Nested;

/**
 * A template as one of its versions: what a name (at a tag or a number) resolves to, and what a listing shows of
 * each template at its {@code latest}. Read from a join whose template columns carry the prefix {@code t_}.
 */
public record TemplateAtVersion(@Nested("t") TemplateRow template, @Nested TemplateVersionRow version) {
    public TemplateAtVersion {
        requireNonNull(template, "template");
        requireNonNull(version, "version");
    }
}
