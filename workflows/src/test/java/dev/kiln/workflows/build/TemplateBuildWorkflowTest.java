package dev.kiln.workflows.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.model.BuildStatus;
import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.TaskQueues;
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
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(TemplateBuildWorkflowImpl.class);

    private final FakeBuildRecords records = new FakeBuildRecords();
    private final FakeSandbox sandbox = new FakeSandbox();
    private WorkflowClient client;
    private Worker controlWorker;

    @BeforeEach
    void startWorkers(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
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
    void successfulBuildRunsEveryStepInOrderThenFlattensPublishesAndDestroysTheSandbox() {
        TemplateBuildResult result = stub("bld-ok").run(input("bld-ok", "echo one", "echo two", "echo three"));

        assertThat(result.status()).isEqualTo(BuildStatus.SUCCESS);
        assertThat(result.hostId()).isEqualTo("host-1");
        assertThat(sandbox.events).containsExactly(
                "create kiln/minimal:latest",
                "resolve cache lookup: 0 cached",
                "RUN echo one",
                "RUN echo two",
                "RUN echo three",
                "flatten kiln/tpl-bld-ok:latest user root workdir null",
                "destroy bld-ok");
        assertThat(records.events).containsExactly(
                "running bld-ok",
                "placed bld-ok on host-1 excluding []",
                "started 1", "finished 1 exit 0",
                "started 2", "finished 2 exit 0",
                "started 3", "finished 3 exit 0",
                "published web image kiln/tpl-bld-ok:latest");
    }

    @Test
    void contextFlowsThroughStepsAndTheRecipesLastStateBecomesTheTemplatesDefaults() {
        List<BuildStep> steps = List.of(
                step(1, "pre-build", "USER", "kiln"),
                step(2, "recipe", "ENV", "GREETING", "hi"),
                step(3, "recipe", "WORKDIR", "/app"),
                step(4, "recipe", "RUN", "npm ci"),
                step(5, "post-build", "RUN", "apt-get clean"));

        stub("bld-ctx").run(input("bld-ctx", steps, null, true));

        assertThat(sandbox.steps.get(3).context().user()).isEqualTo("kiln");
        assertThat(sandbox.steps.get(3).context().workdir()).isEqualTo("/app");
        assertThat(sandbox.steps.get(3).context().env()).containsEntry("GREETING", "hi");
        assertThat(sandbox.steps.get(4).context().user()).as("post-build runs as root").isEqualTo("root");
        PublishTemplate template = records.published.get(0);
        assertThat(template.defaultUser()).isEqualTo("kiln");
        assertThat(template.defaultWorkdir()).isEqualTo("/app");
        assertThat(template.defaultEnv()).containsEntry("GREETING", "hi").containsEntry("PATH", "/usr/bin")
                .doesNotContainKey("HOME");
        assertThat(sandbox.events).contains("upload archive", "flatten kiln/tpl-bld-ctx:latest user kiln workdir /app");
        assertThat(records.events).endsWith("released archive");
    }

    @Test
    void theVersionPublishedRecordsItsImagesIdAndTheIdOfTheBaseItStartedFrom() {
        stub("bld-ids").run(input("bld-ids", "echo hi"));

        PublishTemplate template = records.published.get(0);
        assertThat(template.templateId()).isEqualTo("tpl-bld-ids");
        assertThat(template.imageId()).isEqualTo("sha256:def");
        assertThat(template.baseImageId()).isEqualTo("id of kiln/minimal:latest");
    }

    @Test
    void healthyHealthcheckMakesASnapshotTemplateProbedAsTheDefaultUser() {
        List<BuildStep> steps = List.of(step(1, "recipe", "USER", "web"), step(2, "recipe", "START", "serve"));
        HealthcheckSpec healthcheck = new HealthcheckSpec("curl -f localhost", 1000, 1000, 0, 3);

        stub("bld-hc").run(input("bld-hc", steps, healthcheck, false));

        assertThat(sandbox.events).contains("probe curl -f localhost as web",
                "commit kiln/tpl-bld-hc:latest user web workdir null");
        assertThat(records.published.get(0).type()).isEqualTo("snapshot");
    }

    @Test
    void failedHealthcheckFailsTheBuildBeforeAnyImageExists() {
        sandbox.healthy = false;
        HealthcheckSpec healthcheck = new HealthcheckSpec("curl -f localhost", 1000, 1000, 0, 3);

        assertThatThrownBy(() -> stub("bld-sick").run(input("bld-sick", List.of(step(1, "recipe", "START", "serve")),
                healthcheck, false)))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class,
                        failure -> assertThat(failure.getType()).isEqualTo("HEALTHCHECK_FAILED"));
        assertThat(sandbox.events).noneMatch(event -> event.startsWith("commit")).contains("destroy bld-sick");
        assertThat(records.events).last().asString()
                .isEqualTo("failed step null: healthcheck failed after 3 failed probes: connection refused");
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
        assertThat(sandbox.events).doesNotContain("RUN echo never").noneMatch(event -> event.startsWith("flatten"));
        assertThat(sandbox.events).last().isEqualTo("destroy bld-fail");
        assertThat(records.events).last().isEqualTo("failed step 2: recipe step 2 failed: boom: no such file");
    }

    @Test
    void nameTakenAtPublishFailsTheBuildAndRemovesTheImage() {
        records.nameTakenAtPublish = true;

        assertThatThrownBy(() -> stub("bld-taken").run(input("bld-taken", "echo one")))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class,
                        failure -> assertThat(failure.getType()).isEqualTo("TEMPLATE_NAME_TAKEN"));
        assertThat(sandbox.events).contains("destroy bld-taken", "remove image kiln/tpl-bld-taken:latest");
        assertThat(records.published).isEmpty();
        assertThat(records.events).last().asString().startsWith("failed step null: publish failed: template name");
    }

    @Test
    void cancelDuringAStepKillsItRecordsCancelledAndDestroysTheSandbox() throws InterruptedException {
        TemplateBuildWorkflow workflow = stub("bld-cancel");
        WorkflowClient.start(workflow::run, input("bld-cancel", "echo one", "block here", "echo never"));
        assertThat(sandbox.blockedStepStarted.await(30, TimeUnit.SECONDS)).isTrue();
        // The host starts a step the moment the one before it ended, before the workflow has heard of that end. A
        // cancel then also asks to cancel the step that ended, which Temporal takes in its stride and the SDK's test
        // server wedges on (sdk-java issue 2391); so the cancel comes once the workflow has recorded the end.
        awaitRecorded("started 2");

        WorkflowStub untyped = WorkflowStub.fromTyped(workflow);
        untyped.cancel();

        assertThatThrownBy(() -> untyped.getResult(TemplateBuildResult.class))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOf(CanceledFailure.class);
        assertThat(sandbox.events).contains("killed 2", "destroy bld-cancel").doesNotContain("RUN echo never");
        assertThat(sandbox.events).noneMatch(event -> event.startsWith("flatten"));
        assertThat(records.events).last().isEqualTo("cancelled by temporal-ui");
    }

    @Test
    void buildPastItsDeadlineIsKilledFailedAndCleanedUp() {
        TemplateBuildInput slow = withDeadline(input("bld-slow", "echo one", "block forever"), 5);

        assertThatThrownBy(() -> stub("bld-slow").run(slow))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo("DEADLINE_EXCEEDED");
                    assertThat(failure.getOriginalMessage()).isEqualTo("build deadline of PT5S exceeded during recipe step 2");
                });
        assertThat(sandbox.events).contains("killed 2", "destroy bld-slow");
        assertThat(records.events).last().isEqualTo("failed step 2: build deadline of PT5S exceeded during recipe step 2");
    }

    private void awaitRecorded(String event) throws InterruptedException {
        for (int look = 0; look < 300 && !records.events.contains(event); look++) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        assertThat(records.events).as("recorded within 30 s").contains(event);
    }

    private TemplateBuildWorkflow stub(String buildId) {
        return client.newWorkflowStub(TemplateBuildWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(TemplateBuildWorkflow.workflowId(buildId))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build());
    }

    private static BuildStep step(int number, String phase, String instruction, String... arguments) {
        return new BuildStep(number, phase, instruction + " " + String.join(" ", arguments), instruction,
                List.of(arguments), 30);
    }

    private static TemplateBuildInput input(String buildId, String... commands) {
        List<BuildStep> steps = new ArrayList<>();
        for (int i = 0; i < commands.length; i++) {
            steps.add(step(i + 1, "recipe", "RUN", commands[i]));
        }
        return input(buildId, steps, null, false);
    }

    private static TemplateBuildInput input(
            String buildId, List<BuildStep> steps, HealthcheckSpec healthcheck, boolean hasArchive) {
        return new TemplateBuildInput(buildId, "team-1", "tpl-" + buildId, "web", "kiln/minimal:latest",
                "kiln/tpl-" + buildId + ":latest", steps, 1, 512, healthcheck, hasArchive, Duration.ofHours(1).toSeconds());
    }

    private static TemplateBuildInput withDeadline(TemplateBuildInput input, long seconds) {
        return new TemplateBuildInput(input.buildId(), input.teamId(), input.templateId(), input.templateName(),
                input.baseImageRef(), input.imageRef(), input.steps(), input.vcpus(), input.memoryMb(),
                input.healthcheck(), input.hasArchive(), seconds);
    }
}
