package dev.kiln.workflows.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kiln.model.SandboxStatus;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.RecordingFake;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.SandboxHostActivities;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SnapshotWorkflowTest {
    private static final String HOST = "host-1";

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(SnapshotWorkflowImpl.class);

    private final RecordingFake fake = new RecordingFake()
            .answer("holdSandbox", args -> SandboxStatus.RUNNING)
            .answer("pause", args -> SandboxMetrics.empty())
            .answer("snapshot", args -> new ImageInfo("kiln/tpl-1:latest", "sha256:1", 1234, 1, "sha256:0"))
            .answer("publish", args -> new ReplacedTemplate(null, null));
    private WorkflowClient client;
    private Worker controlWorker;

    @BeforeEach
    void start(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        this.client = client;
        this.controlWorker = controlWorker;
        controlWorker.registerActivitiesImplementations(fake.of(SnapshotRecordActivities.class));
        environment.newWorker(TaskQueues.host(HOST)).registerActivitiesImplementations(
                fake.of(SandboxHostActivities.class), fake.of(BuildSandboxHostActivities.class));
        environment.start();
    }

    @Test
    void holdsTheSandboxBeforeAnyHostCallThenPublishesAndGivesItBackRunning() {
        assertThat(run(input(false))).isEqualTo("tpl-1");

        assertThat(fake.calls()).containsExactly(
                "holdSandbox snap-1 sb-1",
                "pause sb-1",
                "storeMetrics sb-1 SandboxMetrics",
                "snapshot SnapshotSandbox",
                "publish PublishSnapshot",
                "resume sb-1",
                "releaseSandbox snap-1 sb-1 running",
                "finish snap-1 success tpl-1 null");
    }

    @Test
    void aPausedSandboxStaysPaused() {
        fake.answer("holdSandbox", args -> SandboxStatus.PAUSED);

        run(input(false));

        assertThat(fake.calls()).doesNotContain("resume sb-1").contains("releaseSandbox snap-1 sb-1 paused");
    }

    @Test
    void aNameTakenAtPublishRemovesTheImageRestoresTheSandboxAndFailsWithTheType() {
        fake.answer("publish", args -> {
            throw ApplicationFailure.newNonRetryableFailure("name taken", FailureType.TEMPLATE_NAME_TAKEN.name());
        });

        WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class, () -> run(input(false)));

        assertThat(((ApplicationFailure) failed.getCause()).getType()).isEqualTo(FailureType.TEMPLATE_NAME_TAKEN.name());
        assertThat(fake.calls()).endsWith(
                "publish PublishSnapshot",
                "removeImage kiln/tpl-1:latest",
                "resume sb-1",
                "releaseSandbox snap-1 sb-1 running",
                "finish snap-1 failed null name taken");
    }

    @Test
    void aSandboxThatCannotBeHeldIsNeverTouchedOnTheHost() {
        fake.answer("holdSandbox", args -> {
            throw ApplicationFailure.newNonRetryableFailure("stopped", FailureType.INVALID_STATE.name());
        });

        WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class, () -> run(input(false)));

        assertThat(((ApplicationFailure) failed.getCause()).getType()).isEqualTo(FailureType.INVALID_STATE.name());
        assertThat(fake.calls()).containsExactly("holdSandbox snap-1 sb-1", "finish snap-1 failed null stopped");
    }

    @Test
    void aPlatformSnapshotDestroysTheSandboxAndHandsTheReplacedImageToRemoval() {
        fake.answer("publish", args -> new ReplacedTemplate("tpl-old", "kiln/tpl-old:latest"));

        run(input(true));

        assertThat(fake.calls()).endsWith(
                "publish PublishSnapshot",
                "destroy sb-1",
                "releaseSandbox snap-1 sb-1 stopped",
                "scheduleImageRemoval team-0 base tpl-old kiln/tpl-old:latest",
                "finish snap-1 success tpl-1 null");
    }

    private String run(SnapshotInput input) {
        SnapshotWorkflow workflow = client.newWorkflowStub(SnapshotWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(SnapshotWorkflow.workflowId(input.snapshotId()))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build());
        return workflow.run(input);
    }

    private static SnapshotInput input(boolean platform) {
        return new SnapshotInput("snap-1", "team-0", "sb-1", HOST, "base", "tpl-1", "kiln/tpl-1:latest", false, platform,
                1, 512, "root", null, Map.of());
    }
}
