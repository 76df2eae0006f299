package dev.kiln.workflows.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.RecordingFake;
import dev.kiln.workflows.TaskQueues;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A running golden build's progress is read from its heartbeat only: the old update adds nothing to history. */
class GoldenHostBuildProgressTest {
    private static final String HOST = "host-1";

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(GoldenHostBuildWorkflowImpl.class);

    private final CountDownLatch buildStarted = new CountDownLatch(1);
    private final CountDownLatch releaseBuild = new CountDownLatch(1);
    private final RecordingFake fake = new RecordingFake()
            .answer("build", args -> {
                buildStarted.countDown();
                try {
                    releaseBuild.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                GoldenBuildRequest request = (GoldenBuildRequest) args[0];
                return new GoldenBuildResult(request.buildId(), 0, false, null, "", "/staging", 10, 0);
            })
            .answer("purge", args -> new GoldenPurgeResult((String) args[1], List.of(), 0, true, 100))
            .answer("promote", args -> new GoldenGeneration("prj-1", 1, (String) args[1], 100, "/gen-1", 0))
            .answer("writeRate", args -> new WriteRateSeries((String) args[0], List.of(), 0, "proc-io", false));

    @Test
    void aWriteRateUpdateIsRefusedAndLeavesNoTraceInTheBuildsHistory(TestWorkflowEnvironment environment,
            WorkflowClient client, Worker controlWorker) throws InterruptedException {
        controlWorker.registerActivitiesImplementations(fake.of(GoldenRecordActivities.class));
        environment.newWorker(TaskQueues.host(HOST))
                .registerActivitiesImplementations(fake.of(GoldenHostActivities.class));
        environment.start();
        String workflowId = GoldenHostBuildWorkflow.workflowId("prj-1", HOST, 1);
        GoldenHostBuildWorkflow build = client.newWorkflowStub(GoldenHostBuildWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(workflowId)
                        .setTaskQueue(controlWorker.getTaskQueue())
                        .build());
        WorkflowClient.start(build::run, new GoldenHostBuild("prj-1", "team-1", HOST, "gb-1", "true", 600, false));
        assertThat(buildStarted.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(build::writeRate).isInstanceOf(WorkflowUpdateException.class);
        releaseBuild.countDown();

        assertThat(WorkflowStub.fromTyped(build).getResult(String.class)).isEqualTo("ready");
        List<HistoryEvent> history = client.fetchHistory(workflowId).getEvents();
        assertThat(history).noneMatch(HistoryEvent::hasWorkflowExecutionUpdateAcceptedEventAttributes);
        assertThat(fake.calls()).containsExactly(
                "build GoldenBuildRequest",
                "purge prj-1 gb-1",
                "promote prj-1 gb-1",
                "writeRate gb-1",
                "buildReady prj-1 host-1 gb-1 GoldenGeneration WriteRateSeries");
    }
}
