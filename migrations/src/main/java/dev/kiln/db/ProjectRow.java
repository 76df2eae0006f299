package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A row of {@code projects}: a warm-up script whose golden Docker cache each host keeps. */
public record ProjectRow(
        String id, String teamId, String name, String warmupScript, boolean autoWarm, Instant createdAt,
        Instant updatedAt) {
    public ProjectRow {
        requireNonNull(id, "id");
        requireNonNull(teamId, "teamId");
        requireNonNull(name, "name");
        requireNonNull(warmupScript, "warmupScript");
    }
}
