package dev.kiln.workflows.golden;

import static dev.kiln.workflows.SearchAttributeKeys.KIND;
import static dev.kiln.workflows.SearchAttributeKeys.PROJECT;

import dev.kiln.workflows.ActivityCatalog;
import dev.kiln.workflows.FailureType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

public final class GoldenClearWorkflowImpl implements GoldenClearWorkflow {
    private final GoldenRecordActivities records =
            Workflow.newActivityStub(GoldenRecordActivities.class, ActivityCatalog.record());

    @Override
    public void clear(String projectId) {
        Workflow.upsertTypedSearchAttributes(KIND.valueSet("golden-clear"), PROJECT.valueSet(projectId));
        List<String> refused = new ArrayList<>();
        for (String hostId : records.goldenHosts(projectId)) {
            try {
                Workflow.newActivityStub(GoldenHostActivities.class,
                        ActivityCatalog.hostLifecycle(hostId, "delete the golden")).clearGolden(projectId);
                records.goldenCleared(projectId, hostId);
            } catch (ActivityFailure failure) {
                if (failure.getCause() instanceof ApplicationFailure application
                        && FailureType.GOLDEN_CONFLICT.name().equals(application.getType())) {
                    refused.add(hostId);
                } else {
                    throw failure;
                }
            }
        }
        if (!refused.isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "a session copy is running on " + String.join(", ", refused) + "; their goldens were kept",
                    FailureType.GOLDEN_CONFLICT.name());
        }
    }
}
