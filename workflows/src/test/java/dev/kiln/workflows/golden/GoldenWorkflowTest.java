package dev.kiln.workflows.golden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.RecordingFake;
import dev.kiln.workflows.TaskQueues;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GoldenWorkflowTest {
    private static final String HOST = "host-1";

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(GoldenWorkflowImpl.class, GoldenHostBuildWorkflowImpl.class);

    private final AtomicInteger rounds = new AtomicInteger();
    private final CountDownLatch buildStarted = new CountDownLatch(1);
    private final CountDownLatch releaseBuilds = new CountDownLatch(1);
    private final RecordingFake fake = new RecordingFake()
            .answer("planBuilds", args -> {
                int round = rounds.incrementAndGet();
                return new GoldenPlan("docker build -t warm .",
                        List.of(new GoldenTarget(HOST, "gb-" + round, round, round > 1)));
            })
            .answer("build", args -> {
                buildStarted.countDown();
                awaitReleaseOrCancel();
                GoldenBuildRequest request = (GoldenBuildRequest) args[0];
                int exit = request.warmupScript().contains("fail") ? 2 : 0;
                return new GoldenBuildResult(request.buildId(), exit, false, null, "boom", exit == 0 ? "/staging" : null,
                        10, 0);
            })
            .answer("purge", args -> new GoldenPurgeResult((String) args[1], List.of("containers"), 3, false, 100))
            .answer("promote", args -> new GoldenGeneration("prj-1", 1, (String) args[1], 100, "/gen-1", 0))
            .answer("writeRate", args -> new WriteRateSeries((String) args[0], List.of(), 0, "proc-io", false));
    private TestWorkflowEnvironment environment;
    private WorkflowClient client;
    private Worker controlWorker;

    @BeforeEach
    void start(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        this.environment = environment;
        this.client = client;
        this.controlWorker = controlWorker;
        controlWorker.registerActivitiesImplementations(fake.of(GoldenRecordActivities.class));
        environment.newWorker(TaskQueues.host(HOST)).registerActivitiesImplementations(fake.of(GoldenHostActivities.class));
        environment.start();
    }

    @Test
    void buildThenPurgeThenPromoteEachAsItsOwnStepAndRecordReadyForThatBuild() {
        releaseBuilds.countDown();
        GoldenWorkflow golden = startWithTrigger();

        WorkflowStub.fromTyped(golden).getResult(Void.class);

        assertThat(fake.calls()).containsExactly(
                "planBuilds prj-1 golden-build-prj-1",
                "build GoldenBuildRequest",
                "purge prj-1 gb-1",
                "promote prj-1 gb-1",
                "writeRate gb-1",
                "buildReady prj-1 host-1 gb-1 GoldenGeneration WriteRateSeries");
    }

    @Test
    void triggersDuringABuildQueueExactlyOneMoreRound() throws InterruptedException {
        GoldenWorkflow golden = startWithTrigger();
        assertThat(buildStarted.await(10, TimeUnit.SECONDS)).isTrue();

        golden.trigger("second");
        golden.trigger("third");
        golden.trigger("fourth");
        assertThat(golden.state()).isEqualTo(GoldenRound.QUEUED);
        releaseBuilds.countDown();
        WorkflowStub.fromTyped(golden).getResult(Void.class);

        assertThat(rounds.get()).isEqualTo(2);
        assertThat(fake.calls().stream().filter(call -> call.startsWith("buildReady"))).hasSize(2);
    }

    @Test
    void cancelStopsTheHostsBuildRecordsItCancelledAndDropsTheQueuedRound() throws InterruptedException {
        GoldenWorkflow golden = startWithTrigger();
        assertThat(buildStarted.await(10, TimeUnit.SECONDS)).isTrue();
        golden.trigger("queued behind");

        golden.cancel("key-admin");
        WorkflowStub.fromTyped(golden).getResult(Void.class);

        assertThat(rounds.get()).isEqualTo(1);
        assertThat(fake.calls()).contains("cancelBuild prj-1 gb-1",
                "buildCancelled prj-1 host-1 gb-1 WriteRateSeries").doesNotContain("promote prj-1 gb-1");
    }

    @Test
    void aFailingScriptIsRecordedFailedAndNeverPromoted() {
        releaseBuilds.countDown();
        GoldenWorkflow golden = client.newWorkflowStub(GoldenWorkflow.class, options());
        fake.answer("planBuilds", args -> new GoldenPlan("fail", List.of(new GoldenTarget(HOST, "gb-1", 1, false))));
        WorkflowClient.start(golden::run, new GoldenInput("prj-1", "team-1", 600));
        golden.trigger("first");

        WorkflowStub.fromTyped(golden).getResult(Void.class);

        assertThat(fake.calls()).contains("buildFailed prj-1 host-1 gb-1 the warm-up script exited 2: boom WriteRateSeries")
                .noneMatch(call -> call.startsWith("purge") || call.startsWith("promote"));
    }

    private GoldenWorkflow startWithTrigger() {
        GoldenWorkflow golden = client.newWorkflowStub(GoldenWorkflow.class, options());
        WorkflowClient.start(golden::run, new GoldenInput("prj-1", "team-1", 600));
        golden.trigger("first");
        return golden;
    }

    private WorkflowOptions options() {
        return WorkflowOptions.newBuilder()
                .setWorkflowId(GoldenWorkflow.workflowId("prj-1"))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build();
    }

    /** A build runs until released, heartbeating so that a cancel reaches it, as the host's does. */
    private void awaitReleaseOrCancel() {
        try {
            while (!releaseBuilds.await(100, TimeUnit.MILLISECONDS)) {
                Activity.getExecutionContext().heartbeat(null);
            }
        } catch (ActivityCompletionException cancelled) {
            throw cancelled;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
