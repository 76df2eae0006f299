package dev.kiln.workflows.snapshot;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** A sandbox turned into a template: {@code snapshot-<snapshotId>}. Returns the template id. */
@WorkflowInterface
public interface SnapshotWorkflow {
    static String workflowId(String snapshotId) {
        return "snapshot-" + snapshotId;
    }

    @WorkflowMethod(name = "SnapshotWorkflow")
    String run(SnapshotInput input);
}
