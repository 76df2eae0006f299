package dev.kiln.workflows.build;

import java.util.Map;

/**
 * Payload: the template version a successful build becomes; {@code type} is "snapshot" (committed) or "image"
 * (flattened). {@code templateId} is the version's own id, which names its image. Add fields at the end only.
 *
 * @param imageId the Docker image id of the version's image; null in a history from before versions
 * @param baseImageId the Docker image id of the base the build started from; null likewise
 */
public record PublishTemplate(
        String buildId,
        String templateId,
        String teamId,
        String name,
        String type,
        String imageRef,
        long sizeBytes,
        int vcpus,
        int memoryMb,
        String defaultUser,
        Map<String, String> defaultEnv,
        String defaultWorkdir,
        String imageId,
        String baseImageId) {}
