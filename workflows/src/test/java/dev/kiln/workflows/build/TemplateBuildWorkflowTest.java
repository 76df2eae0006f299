package dev.kiln.workflows.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.TaskQueues;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TemplateBuildWorkflowTest {

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(TemplateBuildWorkflowImpl.class)
            .registerSearchAttribute("KilnStatus", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
            .registerSearchAttribute("KilnKind", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
            .registerSearchAttribute("KilnTemplate", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
            .registerSearchAttribute("KilnHost", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
            .registerSearchAttribute("KilnTeam", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
            .setDoNotStart(true)
            .build();

    private final FakeBuildRecords records = new FakeBuildRecords();
    private final FakeSandbox sandbox = new FakeSandbox();
    private TestWorkflowEnvironment environment;
    private WorkflowClient client;
    private Worker controlWorker;

    @BeforeEach
    void startWorkers(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        this.environment = environment;
        this.client = client;
        this.controlWorker = controlWorker;
        controlWorker.registerActivitiesImplementations(records);
        // Hosts deliver cancellation through heartbeats; an unthrottled heartbeat makes the kill prompt.
        WorkerOptions hostOptions = WorkerOptions.newBuilder()
                .setMaxHeartbeatThrottleInterval(Duration.ofMillis(200))
                .build();
        environment.newWorker(TaskQueues.host("host-1"), hostOptions).registerActivitiesImplementations(sandbox);
        environment.start();
    }

    @Test
    void successfulBuildRunsEveryStepInOrderThenCommitsPublishesAndDestroysTheSandbox() {
        TemplateBuildResult result = stub("bld-ok").run(input("bld-ok", "echo one", "echo two", "echo three"));

        assertThat(result.status()).isEqualTo("success");
        assertThat(result.hostId()).isEqualTo("host-1");
        assertThat(sandbox.events).containsExactly(
                "create kiln/minimal:latest",
                "run echo one",
                "run echo two",
                "run echo three",
                "commit kiln/tpl-bld-ok:latest",
                "destroy bld-ok");
        assertThat(records.events).containsExactly(
                "running bld-ok",
                "placed bld-ok on host-1",
                "started 1", "finished 1 exit 0",
                "started 2", "finished 2 exit 0",
                "started 3", "finished 3 exit 0",
                "published web kiln/tpl-bld-ok:latest");
    }

    @Test
    void failingStepFailsTheBuildWithItsNumberAndStderrAndStillDestroysTheSandbox() {
        TemplateBuildWorkflow workflow = stub("bld-fail");

        assertThatThrownBy(() -> workflow.run(input("bld-fail", "echo one", "cat /fail", "echo never")))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo("STEP_FAILED");
                    assertThat(failure.getOriginalMessage()).isEqualTo("recipe step 2 failed: boom: no such file");
                });
        assertThat(sandbox.events).doesNotContain("run echo never").doesNotContain("commit kiln/tpl-bld-fail:latest");
        assertThat(sandbox.events).last().isEqualTo("destroy bld-fail");
        assertThat(records.events).last().isEqualTo("failed step 2: recipe step 2 failed: boom: no such file");
    }

    @Test
    void nameTakenAtPublishFailsTheBuildAndRemovesTheCommittedImage() {
        records.nameTakenAtPublish = true;

        assertThatThrownBy(() -> stub("bld-taken").run(input("bld-taken", "echo one")))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class,
                        failure -> assertThat(failure.getType()).isEqualTo("TEMPLATE_NAME_TAKEN"));
        assertThat(sandbox.events).contains("destroy bld-taken", "remove image kiln/tpl-bld-taken:latest");
        assertThat(records.events).noneMatch(event -> event.startsWith("published"));
        assertThat(records.events).last().asString().startsWith("failed step null: publish failed: template name");
    }

    @Test
    void cancelDuringAStepKillsItRecordsCancelledAndDestroysTheSandbox() throws InterruptedException {
        TemplateBuildWorkflow workflow = stub("bld-cancel");
        WorkflowClient.start(workflow::run, input("bld-cancel", "echo one", "block here", "echo never"));
        assertThat(sandbox.blockedStepStarted.await(30, TimeUnit.SECONDS)).isTrue();

        WorkflowStub untyped = WorkflowStub.fromTyped(workflow);
        untyped.cancel();

        assertThatThrownBy(() -> untyped.getResult(TemplateBuildResult.class))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOf(CanceledFailure.class);
        assertThat(sandbox.events).contains("killed 2", "destroy bld-cancel").doesNotContain("run echo never");
        assertThat(records.events).last().isEqualTo("cancelled");
    }

    private TemplateBuildWorkflow stub(String buildId) {
        return client.newWorkflowStub(TemplateBuildWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(TemplateBuildWorkflow.workflowId(buildId))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build());
    }

    private static TemplateBuildInput input(String buildId, String... commands) {
        List<BuildStep> steps = new ArrayList<>();
        for (int i = 0; i < commands.length; i++) {
            steps.add(new BuildStep(i + 1, "recipe", "RUN " + commands[i], commands[i], 30));
        }
        return new TemplateBuildInput(buildId, "team-1", "tpl-" + buildId, "web", "kiln/minimal:latest",
                "kiln/tpl-" + buildId + ":latest", steps, 1, 512);
    }
}
