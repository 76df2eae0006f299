package dev.kiln.workflows.golden;

/**
 * Payload: a promoted golden. {@code path} is the generation's Docker data dir, never modified once promoted;
 * {@code sizeBytes} its apparent size ({@code du -sb}).
 */
public record GoldenGeneration(
        String projectId, long generation, String buildId, long sizeBytes, String path, long promotedAtMs) {}
