package dev.kiln.workflows.build;

import java.util.List;

/**
 * Payload: everything a build needs, fixed at submit time (the recipe is parsed and validated by the API
 * before the workflow starts, so a bad recipe never queues). Add fields at the end only.
 *
 * @param healthcheck null builds a flattened image; otherwise START processes are probed and the sandbox is
 *     committed as a snapshot template
 * @param deadlineSeconds the whole build, queueing included, must finish within this
 * @param noCache run every step as if the host had no step cache, neither reading nor writing it; false in inputs
 *     from before the cache
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
        long deadlineSeconds,
        boolean noCache) {

    /** An input without the fields added since the first release: the cache is used. */
    public TemplateBuildInput(
            String buildId, String teamId, String templateId, String templateName, String baseImageRef, String imageRef,
            List<BuildStep> steps, int vcpus, int memoryMb, HealthcheckSpec healthcheck, boolean hasArchive,
            long deadlineSeconds) {
        this(buildId, teamId, templateId, templateName, baseImageRef, imageRef, steps, vcpus, memoryMb, healthcheck,
                hasArchive, deadlineSeconds, false);
    }
}
