package dev.kiln.workflows.sandbox;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Host-side work on the local Docker engine. Scheduled on {@code host-<hostId>}; every method is
 * idempotent on the owner id it is given, so a retry after a lost response does no harm.
 */
@ActivityInterface
public interface SandboxActivities {

    /**
     * Creates and starts the build sandbox, or returns the one already labelled with this build id.
     *
     * @return the container id
     */
    @ActivityMethod(name = "CreateBuildSandbox")
    String createBuildSandbox(CreateBuildSandbox request);

    /**
     * Runs one shell command in the sandbox, heartbeating elapsed time and output size; kills the command
     * when the activity is cancelled. A non-zero exit is a result ({@code ok=false}), not an exception.
     */
    @ActivityMethod(name = "RunStep")
    StepOutcome runStep(RunStep request);

    /** Commits the sandbox into {@code imageRef}; returns the image id and size. */
    @ActivityMethod(name = "CommitSandbox")
    ImageInfo commitSandbox(CommitSandbox request);

    /** Force-removes every container labelled with this build id. Missing containers are fine. */
    @ActivityMethod(name = "DestroyBuildSandbox")
    void destroyBuildSandbox(String buildId);

    /** Removes an image a failed or cancelled run produced. A missing image is fine. */
    @ActivityMethod(name = "RemoveImage")
    void removeImage(String imageRef);
}
