package dev.kiln.workflows.sandbox;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Host-side work on the local Docker engine. Scheduled on {@code host-<hostId>}; every method is
 * idempotent on the owner id it is given, so a retry after a lost response does no harm.
 */
@ActivityInterface
public interface BuildSandboxHostActivities {
    /** The activity type kiln-api looks for among a build's pending activities to read its {@link StepProgress}. */
    String RUN_STEP = "RunStep";

    /**
     * Creates and starts the build sandbox, or returns the one already labelled with this build id.
     *
     * @return the container id
     */
    @ActivityMethod(name = "CreateBuildSandbox")
    String createBuildSandbox(CreateBuildSandbox request);

    /**
     * Reads the sandbox's environment ({@code env}, 10 s) as the starting context: root, no workdir. Falls back
     * to a standard PATH and HOME=/root when the image has no {@code env}.
     */
    @ActivityMethod(name = "ReadEnvironment")
    StepContext readEnvironment(String containerId);

    /**
     * Fetches the uploaded archive from kiln-api and unpacks it into {@code /tmp/build-files} in the sandbox.
     * Entries or symlinks that would land outside it fail with the non-retryable {@code ARCHIVE_INVALID}.
     * Returns the digests the step cache keys COPY steps on (null for a request without COPY sources).
     */
    @ActivityMethod(name = "UploadArchive")
    ArchiveDigest uploadArchive(UploadArchive request);

    /**
     * Keys the build's steps and, when asked to look up, replaces the build sandbox with one started from the
     * cached image of the longest run of leading steps the host holds, unpacking the build's own archive into it
     * again where the cached one may differ. Idempotent on the build id: a retry finds the replacement in place.
     */
    @ActivityMethod(name = "ResolveStepCache")
    StepCachePlan resolveStepCache(ResolveStepCache request);

    /**
     * Removes step cache images older than the host's age bound, then the oldest until the rest fit its size
     * bound, and cache images a crash left untagged. An image a container still uses is kept.
     */
    @ActivityMethod(name = "CollectStepCache")
    StepCacheGcResult collectStepCache();

    /**
     * Executes one instruction, heartbeating {@link StepProgress} (elapsed time, output size and the tails of both
     * streams); kills the command when the activity is cancelled. A non-zero exit is a result ({@code ok=false}),
     * not an exception.
     */
    @ActivityMethod(name = RUN_STEP)
    StepOutcome runStep(RunStep request);

    /** Probes the healthcheck command, heartbeating each attempt. An unhealthy sandbox is a result, not an exception. */
    @ActivityMethod(name = "ProbeHealth")
    HealthResult probeHealth(HealthProbe request);

    /** Commits the sandbox into {@code imageRef} with the given defaults; returns the image. */
    @ActivityMethod(name = "CommitSandbox")
    ImageInfo commitSandbox(CommitSandbox request);

    /** Exports the sandbox's filesystem into a single-layer image {@code imageRef} with the given defaults. */
    @ActivityMethod(name = "FlattenSandbox")
    ImageInfo flattenSandbox(CommitSandbox request);

    /** Force-removes the build sandbox of this build id. Missing containers are fine. */
    @ActivityMethod(name = "DestroyBuildSandbox")
    void destroyBuildSandbox(String buildId);

    /** Removes an image a failed or cancelled run produced. A missing image is fine. */
    @ActivityMethod(name = "RemoveImage")
    void removeImage(String imageRef);
}
