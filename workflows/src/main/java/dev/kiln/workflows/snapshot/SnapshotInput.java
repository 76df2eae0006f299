package dev.kiln.workflows.snapshot;

import java.util.Map;

/**
 * Payload: turn sandbox {@code sandboxId} into template {@code name} of {@code teamId}. {@code platform} is the
 * admins' variant: it replaces a platform template of that name once the new image exists, then destroys the
 * sandbox. The resources and defaults are the sandbox's (its template's defaults), which the template keeps.
 */
public record SnapshotInput(
        String snapshotId, String teamId, String sandboxId, String hostId, String name, String templateId,
        String imageRef, boolean flatten, boolean platform, int vcpus, int memoryMb, String user, String workdir,
        Map<String, String> env) {}
