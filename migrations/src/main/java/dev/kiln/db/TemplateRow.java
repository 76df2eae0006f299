package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A row of {@code templates}: a name in a team's space, or the platform's. What it runs is one of its versions
 * ({@link TemplateVersionRow}), named by a tag or a number. A null {@code createdAt} is filled in on insert.
 */
public record TemplateRow(String id, String teamId, String name, Instant createdAt) {
    public TemplateRow {
        requireNonNull(id, "id");
        requireNonNull(teamId, "teamId");
        requireNonNull(name, "name");
    }
}
