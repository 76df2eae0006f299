package dev.kiln.workflows.snapshot;

import dev.kiln.model.SandboxStatus;
import dev.kiln.model.SnapshotStatus;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Control-side writes of a snapshot. Each is idempotent on the snapshot id. */
@ActivityInterface
public interface SnapshotRecordActivities {

    /**
     * Marks the sandbox paused and held by this snapshot before any host call, and returns the status to restore.
     * Fails with the non-retryable {@code INVALID_STATE} when it is neither running nor paused, or already held.
     */
    @ActivityMethod(name = "HoldSandbox")
    SandboxStatus holdSandbox(String snapshotId, String sandboxId);

    @ActivityMethod(name = "StoreSandboxMetrics")
    void storeMetrics(String sandboxId, SandboxMetrics metrics);

    /**
     * Records the snapshot as the next version of its template (a new template for a new name), and moves
     * {@code latest} to it. Replaces nothing, so returns nulls (see {@link ReplacedTemplate}). Fails with
     * {@code TEMPLATE_NAME_TAKEN} when the name was taken in another space meanwhile.
     */
    @ActivityMethod(name = "PublishSnapshot")
    ReplacedTemplate publish(PublishSnapshot request);

    /** Ends the hold, leaving the sandbox in {@code status}. */
    @ActivityMethod(name = "ReleaseSandbox")
    void releaseSandbox(String snapshotId, String sandboxId, SandboxStatus status);

    @ActivityMethod(name = "FinishSnapshot")
    void finish(String snapshotId, SnapshotStatus status, String templateId, String error);

    /** Hands a no longer used image to its template's removal workflow, which takes it off every host. */
    @ActivityMethod(name = "ScheduleImageRemoval")
    void scheduleImageRemoval(String teamId, String name, String templateId, String imageRef);
}
