package dev.kiln.workflows.build;

/** Payload: how a build ended. {@code templateId} is set only on success. */
public record TemplateBuildResult(String buildId, String status, String templateId, String hostId) {}
