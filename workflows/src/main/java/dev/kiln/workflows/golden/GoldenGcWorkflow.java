package dev.kiln.workflows.golden;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Removes idle session dirs, old generations and what the step cache holds beyond its bounds on every online host;
 * run daily by the schedule {@code golden-gc}.
 */
@WorkflowInterface
public interface GoldenGcWorkflow {
    /** Prefix of the schedule ids, one per control task queue. */
    String SCHEDULE_ID = "golden-gc";

    @WorkflowMethod(name = "GoldenGcWorkflow")
    void collect(long idleDays);
}
