package dev.kiln.api;

import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Saves the histories of real end-to-end runs for the replay tests in workflows/ ({@code WorkflowReplayTest}), so
 * that a change to workflow code which old histories no longer replay on fails the build. Off unless the system
 * property {@code kiln.histories.dir} names a directory: then each stack, when it stops, writes one history per
 * workflow type and outcome that its control queue ran and the directory does not hold yet. Existing files are
 * never replaced: a history is re-recorded only by deleting it, on purpose.
 */
final class HistoryRecorder {
    static final String PROPERTY = "kiln.histories.dir";
    private static final String NAMESPACE = "default";

    private HistoryRecorder() {}

    static void recordIfAsked(String target, String controlTaskQueue) {
        String dir = System.getProperty(PROPERTY);
        if (dir == null || dir.isBlank()) {
            return;
        }
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
        try {
            WorkflowClient client = WorkflowClient.newInstance(stubs,
                    WorkflowClientOptions.newBuilder().setNamespace(NAMESPACE).build());
            Files.createDirectories(Path.of(dir));
            for (WorkflowExecutionInfo execution :
                    WorkflowListing.all(stubs, NAMESPACE, "TaskQueue = '" + controlTaskQueue + "'")) {
                Path file = Path.of(dir, execution.getType().getName() + "-" + outcome(execution) + ".json");
                if (!Files.exists(file)) {
                    Files.writeString(file, client.fetchHistory(execution.getExecution().getWorkflowId(),
                            execution.getExecution().getRunId()).toJson(true));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("recording histories into " + dir, e);
        } finally {
            stubs.shutdown();
        }
    }

    /** completed, failed, canceled, running, ...: open workflows (a host's) are saved as far as they got. */
    private static String outcome(WorkflowExecutionInfo execution) {
        return execution.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase(Locale.ROOT);
    }
}
