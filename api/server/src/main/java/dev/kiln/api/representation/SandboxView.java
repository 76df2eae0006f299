package dev.kiln.api.representation;

import dev.kiln.db.SandboxRow;
import dev.kiln.model.SandboxStatus;
import java.time.Instant;

public record SandboxView(
        String id, SandboxStatus status, String hostId, String template, int vcpus, int memoryMb,
        boolean snapshotInProgress, Instant createdAt, Instant updatedAt) {
    public static SandboxView of(SandboxRow row) {
        return new SandboxView(row.id(), row.status(), row.hostId(), row.templateName(), row.vcpus(), row.memoryMb(),
                row.snapshotId() != null, row.createdAt(), row.updatedAt());
    }
}
