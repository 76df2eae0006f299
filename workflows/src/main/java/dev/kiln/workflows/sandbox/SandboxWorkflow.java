package dev.kiln.workflows.sandbox;

import dev.kiln.model.SandboxStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One sandbox's life, from its container's creation to its removal: {@code sandbox-<sandboxId>}. Every operation on
 * the sandbox is an update, so each one, its result and its host activity are in the workflow's history. The API
 * checks the sandbox's status in PostgreSQL before sending one, so the handlers do not re-check it.
 */
@WorkflowInterface
public interface SandboxWorkflow {
    static String workflowId(String sandboxId) {
        return "sandbox-" + sandboxId;
    }

    @WorkflowMethod(name = "SandboxWorkflow")
    void run(SandboxInput input);

    /** Completes once the container runs, or its creation failed: returns {@code running} or {@code stopped}. */
    @UpdateMethod(name = "started")
    SandboxStatus started();

    @UpdateMethod(name = "exec")
    SandboxExecResult exec(ExecCommand command);

    @UpdateMethod(name = "pause")
    void pause();

    @UpdateMethod(name = "resume")
    void resume();

    /** The host's live metric tiers. */
    @UpdateMethod(name = "metrics")
    SandboxMetrics metrics();

    /** Removes the container and ends the workflow. */
    @UpdateMethod(name = "destroy")
    void destroy();

    /** The sandbox ended elsewhere (its host was deleted, or a snapshot destroyed it): end without touching the host. */
    /** The name of the {@link #ended} signal, for workflows that signal a sandbox they hold no typed stub of. */
    String ENDED = "ended";

    @SignalMethod(name = ENDED)
    void ended(String reason);

    @QueryMethod(name = "status")
    SandboxStatus status();
}
