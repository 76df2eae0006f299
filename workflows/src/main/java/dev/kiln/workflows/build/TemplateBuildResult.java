package dev.kiln.workflows.build;

import dev.kiln.model.BuildStatus;

/** Payload: how a build ended. {@code templateId} is set only on success. */
public record TemplateBuildResult(String buildId, BuildStatus status, String templateId, String hostId) {}
