package dev.kiln.workflows.sandbox;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * A user sandbox's life on its host, on {@code host-<hostId>}. Sandbox containers carry the label
 * {@code kiln.sandbox=<sandboxId>}; every method finds the container by that label and is idempotent on it.
 * A sandbox whose container is gone fails with the non-retryable {@code SANDBOX_GONE}.
 */
@ActivityInterface
public interface SandboxHostActivities {

    /** Creates and starts the container (CPU quota and memory limit applied), or returns the one already there. */
    @ActivityMethod(name = "CreateSandbox")
    String createSandbox(CreateSandbox request);

    /** Runs one command to its end or its timeout (then killed); a non-zero exit is a result. */
    @ActivityMethod(name = "ExecInSandbox")
    SandboxExecResult exec(SandboxExec request);

    /** Freezes the container (a no-op when already paused) and returns its metrics, which stop being sampled. */
    @ActivityMethod(name = "PauseSandbox")
    SandboxMetrics pause(String sandboxId);

    /** Thaws the container (a no-op when running). */
    @ActivityMethod(name = "ResumeSandbox")
    void resume(String sandboxId);

    /** Force-removes the container and forgets its metrics; a missing container is fine. */
    @ActivityMethod(name = "DestroySandbox")
    void destroy(String sandboxId);

    /** The live metric tiers the host keeps for a running sandbox. */
    @ActivityMethod(name = "SandboxMetrics")
    SandboxMetrics metrics(String sandboxId);

    /** Commits or flattens a paused sandbox into an image, heartbeating while it works; the sandbox stays paused. */
    @ActivityMethod(name = "SnapshotSandbox")
    ImageInfo snapshot(SnapshotSandbox request);
}
