package dev.kiln.workflows.snapshot;

import java.util.Map;

/**
 * Payload: the template version a finished snapshot becomes: a new template, or the next version of the team's
 * template of that name. {@code templateId} is the version's own id, which names its image. {@code replace} marks an
 * admin's snapshot into a platform template. Add fields at the end only.
 *
 * @param imageId the Docker image id of the snapshot's image; null in a history from before versions
 * @param baseImageId the Docker image id of the image the sandbox ran; null likewise
 */
public record PublishSnapshot(
        String snapshotId, String templateId, String teamId, String name, String imageRef, int vcpus, int memoryMb,
        long sizeBytes, String user, Map<String, String> env, String workdir, boolean replace, String imageId,
        String baseImageId) {}
