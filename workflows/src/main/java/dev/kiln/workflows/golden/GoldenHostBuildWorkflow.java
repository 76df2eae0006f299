package dev.kiln.workflows.golden;

import dev.kiln.model.GoldenBuildStatus;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One golden build on one host: {@code golden-build-<projectId>-<hostId>-<n>}. Build, purge and promote are
 * separate activities, so each is its own step in the history. While the build runs, kiln-api reads its progress
 * and write series from the build activity's heartbeat; the workflow records the final series.
 */
@WorkflowInterface
public interface GoldenHostBuildWorkflow {
    static String workflowId(String projectId, String hostId, long n) {
        return "golden-build-" + projectId + "-" + hostId + "-" + n;
    }

    /** Returns the host's golden status after the build: {@code ready}, {@code failed} or (cancelled) none/ready. */
    @WorkflowMethod(name = "GoldenHostBuildWorkflow")
    GoldenBuildStatus run(GoldenHostBuild build);

    /**
     * Replay only. Until the write series moved into the build's heartbeat, each read of it was this update, which
     * ran {@code GoldenWriteRate} on the host; histories holding such updates replay through it. New calls are
     * refused by {@link #refuseWriteRate}, and a refused update leaves nothing in history.
     */
    @UpdateMethod(name = "writeRate")
    WriteRateSeries writeRate();

    /** Refuses every new {@code writeRate} update; validators do not run on replay. */
    @UpdateValidatorMethod(updateName = "writeRate")
    void refuseWriteRate();
}
