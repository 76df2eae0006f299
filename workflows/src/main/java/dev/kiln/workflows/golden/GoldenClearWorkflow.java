package dev.kiln.workflows.golden;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Deletes a project's golden on every host that has one: {@code golden-clear-<projectId>}. Fails with
 * {@code GOLDEN_CONFLICT} naming the hosts where a session copy was running, which keep their golden.
 */
@WorkflowInterface
public interface GoldenClearWorkflow {
    static String workflowId(String projectId) {
        return "golden-clear-" + projectId;
    }

    @WorkflowMethod(name = "GoldenClearWorkflow")
    void clear(String projectId);
}
