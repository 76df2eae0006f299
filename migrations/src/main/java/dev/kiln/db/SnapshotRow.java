package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import dev.kiln.model.SnapshotStatus;
import java.time.Instant;

/** A row of {@code snapshots}: one request to turn a sandbox into a template, and how it ended. */
public record SnapshotRow(
        String id,
        String teamId,
        String sandboxId,
        String name,
        String mode,
        SnapshotStatus status,
        String templateId,
        String error,
        String createdBy,
        Instant createdAt,
        Instant finishedAt) {
    public SnapshotRow {
        requireNonNull(id, "id");
        requireNonNull(teamId, "teamId");
        requireNonNull(sandboxId, "sandboxId");
        requireNonNull(name, "name");
        requireNonNull(mode, "mode");
        requireNonNull(status, "status");
        requireNonNull(createdBy, "createdBy");
    }
}
