package dev.kiln.workflows.build;

import java.util.List;

/**
 * Payload: everything a build needs, fixed at submit time (the recipe is parsed and validated by the API
 * before the workflow starts, so a bad recipe never queues). Add fields at the end only.
 *
 * @param healthcheck null builds a flattened image; otherwise START processes are probed and the sandbox is
 *     committed as a snapshot template
 * @param deadlineSeconds the whole build, queueing included, must finish within this
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
        int memoryMb,
        HealthcheckSpec healthcheck,
        boolean hasArchive,
        long deadlineSeconds) {}
