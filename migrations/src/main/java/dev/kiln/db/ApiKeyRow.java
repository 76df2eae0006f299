package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A row of {@code api_keys}; a null {@code createdAt} is filled in by the database on insert. */
public record ApiKeyRow(
        String id, String teamId, String name, String keyHash, boolean admin, Instant createdAt, Instant revokedAt) {
    public ApiKeyRow {
        requireNonNull(id, "id");
        requireNonNull(teamId, "teamId");
        requireNonNull(name, "name");
        requireNonNull(keyHash, "keyHash");
    }
}
