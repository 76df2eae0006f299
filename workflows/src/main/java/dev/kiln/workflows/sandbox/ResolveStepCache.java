package dev.kiln.workflows.sandbox;

import dev.kiln.workflows.build.BuildStep;
import java.util.List;

/**
 * Payload: key every step of a build (the first on the id of {@code baseImageRef}) and, if {@code lookup}, restart the build sandbox from the longest run of
 * leading steps the host's cache holds. {@code contexts} are the contexts the steps run in, one per step;
 * {@code archive} is null for a build without one. {@code vcpus} and {@code memoryMb} size the sandbox that replaces
 * the first one.
 */
public record ResolveStepCache(
        String buildId,
        String containerId,
        String baseImageRef,
        List<BuildStep> steps,
        List<StepContext> contexts,
        ArchiveDigest archive,
        boolean lookup,
        int vcpus,
        int memoryMb) {}
