package dev.kiln.workflows.sandbox;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Control-side writes of a sandbox's life. Each sets a state, so a retry is harmless. */
@ActivityInterface
public interface SandboxRecordActivities {

    /** starting -> running, with its container. */
    @ActivityMethod(name = "RecordSandboxRunning")
    void markRunning(String sandboxId, String containerId);

    /** running -> paused, keeping the metric tiers its host flushed. */
    @ActivityMethod(name = "RecordSandboxPaused")
    void markPaused(String sandboxId, SandboxMetrics metrics);

    /** paused -> running. */
    @ActivityMethod(name = "RecordSandboxResumed")
    void markResumed(String sandboxId);

    /** Whatever it was -> stopped. */
    @ActivityMethod(name = "RecordSandboxStopped")
    void markStopped(String sandboxId);
}
