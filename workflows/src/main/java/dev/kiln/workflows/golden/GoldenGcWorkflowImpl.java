package dev.kiln.workflows.golden;

import static dev.kiln.workflows.SearchAttributeKeys.KIND;

import dev.kiln.workflows.ActivityCatalog;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public final class GoldenGcWorkflowImpl implements GoldenGcWorkflow {
    private final GoldenRecordActivities records =
            Workflow.newActivityStub(GoldenRecordActivities.class, ActivityCatalog.record());

    @Override
    public void collect(long idleDays) {
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("golden-gc"));
        int collected = 0;
        for (String hostId : records.onlineHosts()) {
            try {
                GoldenGcResult result = Workflow.newActivityStub(GoldenHostActivities.class,
                                ActivityCatalog.hostLifecycle(hostId, "collect idle sessions and old generations"))
                        .collectGarbage(Duration.ofDays(idleDays));
                collected += result.sessionDirsRemoved() + result.generationsRemoved() + result.buildDirsRemoved();
            } catch (ActivityFailure unreachable) {
                // A host that went away meanwhile is collected on the next run.
                Workflow.getLogger(GoldenGcWorkflowImpl.class).warn("no garbage collection on {}: {}", hostId,
                        unreachable.getMessage());
            }
        }
        Workflow.setCurrentDetails(collected + " dirs removed");
    }
}
