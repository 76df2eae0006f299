package dev.kiln.workflows.golden;

import static dev.kiln.workflows.SearchAttributeKeys.KIND;

import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public final class GoldenGcWorkflowImpl implements GoldenGcWorkflow {
    /** From this version the run also collects each host's step cache; runs from before collected goldens only. */
    private static final String STEP_CACHE_GC = "step-cache-gc";

    private final GoldenRecordActivities records =
            Workflow.newActivityStub(GoldenRecordActivities.class, ActivityCatalog.record());

    @Override
    public void collect(long idleDays) {
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("golden-gc"));
        int collected = 0;
        int cacheImages = 0;
        boolean stepCache = Workflow.getVersion(STEP_CACHE_GC, Workflow.DEFAULT_VERSION, 1) == 1;
        for (String hostId : records.onlineHosts()) {
            if (stepCache) {
                cacheImages += collectStepCache(hostId);
            }
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
        Workflow.setCurrentDetails(collected + " dirs removed"
                + (stepCache ? ", " + cacheImages + " step cache images removed" : ""));
    }

    /** The host applies its own size and age bounds: they depend on its disk, which only it knows. */
    private static int collectStepCache(String hostId) {
        try {
            return Workflow.newActivityStub(BuildSandboxHostActivities.class,
                            ActivityCatalog.hostLifecycle(hostId, "collect the step cache"))
                    .collectStepCache()
                    .imagesRemoved();
        } catch (ActivityFailure unreachable) {
            Workflow.getLogger(GoldenGcWorkflowImpl.class).warn("no step cache collection on {}: {}", hostId,
                    unreachable.getMessage());
            return 0;
        }
    }
}
