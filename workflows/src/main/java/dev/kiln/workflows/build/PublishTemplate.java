package dev.kiln.workflows.build;

import java.util.Map;

/** Payload: the template a successful build becomes; {@code type} is "snapshot" (committed) or "image" (flattened). */
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
        String defaultWorkdir) {}
