package dev.kiln.workflows.golden;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One golden build on one host: {@code golden-build-<projectId>-<hostId>-<n>}. Build, purge and promote are
 * separate activities, so each is its own step in the history.
 */
@WorkflowInterface
public interface GoldenHostBuildWorkflow {
    static String workflowId(String projectId, String hostId, long n) {
        return "golden-build-" + projectId + "-" + hostId + "-" + n;
    }

    /** Returns the host's golden status after the build: {@code ready}, {@code failed} or (cancelled) none/ready. */
    @WorkflowMethod(name = "GoldenHostBuildWorkflow")
    String run(GoldenHostBuild build);

    /** The live write-rate series, asked from the host. */
    @UpdateMethod(name = "writeRate")
    WriteRateSeries writeRate();

    /** The host's progress message ("Unpacking build cache (2.1/7.0 GB)"), shown as the current details. */
    @SignalMethod(name = "progress")
    void progress(String message);
}
