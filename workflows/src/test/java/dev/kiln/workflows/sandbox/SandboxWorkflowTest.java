package dev.kiln.workflows.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.SandboxStatus;
import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.RecordingFake;
import dev.kiln.workflows.TaskQueues;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SandboxWorkflowTest {
    private static final String HOST = "host-1";

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(SandboxWorkflowImpl.class);

    private final RecordingFake fake = new RecordingFake()
            .answer("createSandbox", args -> "container-1")
            .answer("pause", args -> SandboxMetrics.empty())
            .answer("exec", args -> new SandboxExecResult(0, "as " + ((SandboxExec) args[0]).user() + "\n", "", false,
                    false));
    private SandboxWorkflow sandbox;

    @BeforeEach
    void start(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        controlWorker.registerActivitiesImplementations(fake.of(SandboxRecordActivities.class));
        environment.newWorker(TaskQueues.host(HOST)).registerActivitiesImplementations(fake.of(SandboxHostActivities.class));
        environment.start();
        sandbox = client.newWorkflowStub(SandboxWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(SandboxWorkflow.workflowId("sb-1"))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build());
        WorkflowClient.start(sandbox::run, new SandboxInput("sb-1", "team-1", HOST, "base", "kiln/base:latest", 2, 1024,
                "app", "/srv", Map.of("A", "1"), null));
    }

    @Test
    void everyOperationRunsOnTheHostAndIsRecordedAndDestroyEndsTheWorkflow() {
        assertThat(sandbox.started()).isEqualTo(SandboxStatus.RUNNING);
        assertThat(sandbox.exec(new ExecCommand("id -un", 10)).stdout()).as("the template's user").isEqualTo("as app\n");
        sandbox.pause();
        assertThat(sandbox.status()).isEqualTo(SandboxStatus.PAUSED);
        sandbox.resume();
        sandbox.destroy();
        WorkflowStub.fromTyped(sandbox).getResult(Void.class);

        assertThat(fake.calls()).containsExactly(
                "createSandbox CreateSandbox",
                "markRunning sb-1 container-1",
                "exec SandboxExec",
                "pause sb-1",
                "markPaused sb-1 SandboxMetrics",
                "resume sb-1",
                "markResumed sb-1",
                "destroy sb-1",
                "markStopped sb-1");
    }

    @Test
    void everyActivityInTheHistoryHasASummaryForTheTemporalUi(WorkflowClient client) {
        sandbox.started();
        sandbox.exec(new ExecCommand("npm ci", 10));
        sandbox.destroy();
        WorkflowStub.fromTyped(sandbox).getResult(Void.class);

        List<String> summaries = client.fetchHistory(SandboxWorkflow.workflowId("sb-1")).getEvents().stream()
                .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                .map(event -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                        event.getUserMetadata().getSummary(), String.class, String.class))
                .toList();

        assertThat(summaries).containsExactly("create container", "record sandbox running", "exec: npm ci",
                "destroy container", "record sandbox stopped");
    }

    @Test
    void aContainerThatCannotBeCreatedLeavesTheSandboxStoppedAndNothingBehind() {
        fake.answer("createSandbox", args -> {
            throw ApplicationFailure.newNonRetryableFailure("no such image", "IMAGE_NOT_FOUND");
        });

        assertThat(sandbox.started()).isEqualTo(SandboxStatus.STOPPED);
        WorkflowStub.fromTyped(sandbox).getResult(Void.class);

        assertThat(fake.calls()).containsExactly("createSandbox CreateSandbox", "destroy sb-1", "markStopped sb-1");
    }

    @Test
    void aSandboxEndedElsewhereEndsWithoutTouchingTheHost() {
        assertThat(sandbox.started()).isEqualTo(SandboxStatus.RUNNING);

        sandbox.ended("host deleted");
        WorkflowStub.fromTyped(sandbox).getResult(Void.class);

        assertThat(sandbox.status()).isEqualTo(SandboxStatus.STOPPED);
        assertThat(fake.calls()).containsExactly("createSandbox CreateSandbox", "markRunning sb-1 container-1");
    }
}
