package dev.kiln.workflows.host;

import static dev.kiln.workflows.SearchAttributeKeys.KIND;

import dev.kiln.workflows.ActivityCatalog;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public final class LeaseSweeperWorkflowImpl implements LeaseSweeperWorkflow {
    /**
     * Sweeps per run before continue-as-new: a sweep adds about six events (its local activity's marker, a timer, a
     * workflow task), so a run stays near 1,800 events.
     */
    static final int SWEEPS_PER_RUN = 300;

    /** A local activity: a sweep is one short transaction, not worth an activity task and its events each time. */
    private final LeaseSweepActivities sweeps =
            Workflow.newLocalActivityStub(LeaseSweepActivities.class, ActivityCatalog.sweep());

    @Override
    public void run(long intervalMs) {
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("lease-sweeper"));
        Duration interval = Duration.ofMillis(intervalMs);
        long expired = 0;
        for (int sweep = 0; sweep < SWEEPS_PER_RUN; sweep++) {
            try {
                expired += sweeps.sweep();
            } catch (RuntimeException failed) {
                // PostgreSQL away: the next sweep finds its view stale and grants hosts a grace, so none is lost.
                Workflow.getLogger(LeaseSweeperWorkflowImpl.class).warn("lease sweep failed: {}", failed.getMessage());
            }
            Workflow.setCurrentDetails("sweeping every " + interval + "; " + expired + " leases expired this run");
            Workflow.sleep(interval);
        }
        Workflow.continueAsNew(intervalMs);
    }
}
