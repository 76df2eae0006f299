package dev.kiln.api.representation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.SandboxRow;
import dev.kiln.model.SandboxStatus;
import java.time.Instant;

/**
 * {@code template_version} is the version of {@code template} the sandbox runs, left out for a sandbox of a template
 * deleted before versions existed.
 */
public record SandboxView(
        String id, SandboxStatus status, String hostId, String template, int vcpus, int memoryMb,
        boolean snapshotInProgress, Instant createdAt, Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer templateVersion) {
    public static SandboxView of(SandboxRow row) {
        return new SandboxView(row.id(), row.status(), row.hostId(), row.templateName(), row.vcpus(), row.memoryMb(),
                row.snapshotId() != null, row.createdAt(), row.updatedAt(), row.templateVersion());
    }
}
