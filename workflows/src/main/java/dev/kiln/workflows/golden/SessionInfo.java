package dev.kiln.workflows.golden;

/**
 * Payload: a running session daemon. {@code generation} is the golden generation its data dir was copied from
 * (0: no golden, empty data dir); {@code socket} is its {@code DOCKER_HOST} ({@code unix://...});
 * {@code reused} says the data dir was already complete from an earlier start and nothing was copied.
 */
public record SessionInfo(
        String projectId, String sessionId, long generation, long copiedBytes, long totalBytes, String socket,
        String dataDir, boolean reused) {}
