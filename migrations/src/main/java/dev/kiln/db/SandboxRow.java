package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import dev.kiln.model.SandboxStatus;
import java.time.Instant;
import java.util.Map;

/**
 * A row of {@code sandboxes}; null times are filled in by the database on insert. {@code snapshotId} is set while a
 * snapshot holds the sandbox. {@code templateVersion} is the version of {@code templateId} it runs; null for a sandbox
 * of a template deleted before versions existed.
 */
public record SandboxRow(
        String id,
        String teamId,
        String templateId,
        String hostId,
        String containerId,
        SandboxStatus status,
        int vcpus,
        int memoryMb,
        String templateName,
        String defaultUser,
        @Jsonb Map<String, String> defaultEnv,
        String defaultWorkdir,
        String snapshotId,
        Instant createdAt,
        Instant updatedAt,
        Integer templateVersion) {
    public SandboxRow {
        requireNonNull(id, "id");
        requireNonNull(teamId, "teamId");
        requireNonNull(templateId, "templateId");
        requireNonNull(status, "status");
        defaultUser = defaultUser == null ? "root" : defaultUser;
        defaultEnv = defaultEnv == null ? Map.of() : defaultEnv;
    }
}
