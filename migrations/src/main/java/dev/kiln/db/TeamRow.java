package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A row of {@code teams}; a null {@code createdAt} is filled in by the database on insert. */
public record TeamRow(String id, String name, boolean byoc, Instant createdAt) {
    public TeamRow {
        requireNonNull(id, "id");
        requireNonNull(name, "name");
    }
}
