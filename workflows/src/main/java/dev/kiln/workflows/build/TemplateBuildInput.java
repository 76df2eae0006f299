package dev.kiln.workflows.build;

import java.util.List;

/**
 * Payload: everything a build needs, fixed at submit time (the recipe is parsed and validated by the API
 * before the workflow starts, so a bad recipe never queues). Add fields at the end only.
 */
public record TemplateBuildInput(
        String buildId,
        String teamId,
        String templateId,
        String templateName,
        String baseImageRef,
        String imageRef,
        List<BuildStep> steps,
        int vcpus,
        int memoryMb) {}
