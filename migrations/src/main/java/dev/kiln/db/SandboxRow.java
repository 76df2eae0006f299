package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A row of {@code sandboxes}; null times are filled in by the database on insert. */
public record SandboxRow(
        String id,
        String teamId,
        String templateId,
        String hostId,
        String containerId,
        String status,
        int vcpus,
        int memoryMb,
        Instant createdAt,
        Instant updatedAt) {
    public SandboxRow {
        requireNonNull(id, "id");
        requireNonNull(teamId, "teamId");
        requireNonNull(templateId, "templateId");
        requireNonNull(status, "status");
    }
}
