package dev.kiln.workflows.build;

import dev.kiln.workflows.sandbox.StepOutcome;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Control-side activities that write a build's progress to PostgreSQL, which is what the API serves.
 * Every write is idempotent: a retried activity leaves the same rows.
 */
@ActivityInterface
public interface BuildRecordActivities {

    @ActivityMethod(name = "MarkBuildRunning")
    void markRunning(String buildId);

    /**
     * Chooses an online host with room for the build and records it on the build row.
     * Fails with {@code NO_CAPACITY} (retryable: a host may come online) when none qualifies.
     */
    @ActivityMethod(name = "PlaceBuild")
    String placeBuild(PlaceBuild request);

    @ActivityMethod(name = "RecordStepStarted")
    void recordStepStarted(String buildId, BuildStep step);

    @ActivityMethod(name = "RecordStepFinished")
    void recordStepFinished(String buildId, BuildStep step, StepOutcome outcome);

    /**
     * Records the end of {@code finished} (with its outcome) and the start of {@code next} in one write: one local
     * activity between two steps instead of two. Either may be null: no step before the first, none after the last.
     */
    @ActivityMethod(name = "RecordStepTransition")
    void recordStepTransition(String buildId, BuildStep finished, StepOutcome outcome, BuildStep next);

    /** Records a step the build took from the host's step cache: finished and ok, without running it. */
    @ActivityMethod(name = "RecordStepCached")
    void recordStepCached(String buildId, BuildStep step);

    /**
     * Inserts the template and marks the build {@code success} in one transaction. A name taken since
     * submit fails with the non-retryable {@code TEMPLATE_NAME_TAKEN} and changes nothing.
     */
    @ActivityMethod(name = "PublishTemplate")
    void publishTemplate(PublishTemplate request);

    @ActivityMethod(name = "MarkBuildFailed")
    void markFailed(String buildId, BuildError error);

    /** Marks the build cancelled, keeping the canceller the API recorded; {@code fallbackBy} otherwise. */
    @ActivityMethod(name = "MarkBuildCancelled")
    void markCancelled(String buildId, String fallbackBy);

    /** Drops the uploaded archive once the build has ended; nothing reads it afterwards. */
    @ActivityMethod(name = "ReleaseArchive")
    void releaseArchive(String buildId);
}
