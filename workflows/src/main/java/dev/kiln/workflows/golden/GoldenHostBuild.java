package dev.kiln.workflows.golden;

/** Payload: one golden build on one host. */
public record GoldenHostBuild(
        String projectId, String teamId, String hostId, String buildId, String warmupScript, long deadlineSeconds,
        boolean incremental) {}
