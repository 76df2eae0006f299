package dev.kiln.workflows.golden;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A project's golden caches: {@code golden-<projectId>}, started with signal-with-start by each trigger. A round
 * builds on every online host at once (one child per host); a trigger during a round queues exactly one more round,
 * and later triggers collapse into it. The workflow ends when no round is queued.
 */
@WorkflowInterface
public interface GoldenWorkflow {
    static String workflowId(String projectId) {
        return "golden-" + projectId;
    }

    @WorkflowMethod(name = "GoldenWorkflow")
    void run(GoldenInput input);

    @SignalMethod(name = "trigger")
    void trigger(String by);

    /** Cancels the running round (each host kills its script and daemon) and drops a queued one. */
    @SignalMethod(name = "cancel")
    void cancel(String by);

    /** {@code building}, {@code queued} (building, with a round queued) or {@code idle}. */
    @QueryMethod(name = "state")
    GoldenRound state();
}
