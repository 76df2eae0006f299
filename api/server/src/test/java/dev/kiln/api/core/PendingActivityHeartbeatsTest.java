package dev.kiln.api.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.build.TemplateBuildWorkflow;
import dev.kiln.workflows.golden.GoldenHostActivities;
import dev.kiln.workflows.golden.GoldenHostBuildWorkflow;
import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.SessionWorkflow;
import dev.kiln.workflows.golden.WriteRateSample;
import dev.kiln.workflows.golden.WriteRateSeries;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.StepProgress;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.DynamicActivity;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.EncodedValues;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Typed heartbeats read back from pending activities on Temporal's in-memory test server. */
class PendingActivityHeartbeatsTest {
    private static final String QUEUE = "heartbeats-test";
    private final CountDownLatch activitiesMayEnd = new CountDownLatch(1);
    private final TestWorkflowEnvironment environment = TestWorkflowEnvironment.newInstance();
    private WorkflowClient client;
    private PendingActivityHeartbeats heartbeats;
    /** What the next activity heartbeats; each test sets it before it starts its workflow. */
    private volatile Object details;

    /** The host's heartbeat payload before it carried the tails. */
    public record OldStepProgress(long elapsedMs, long outputBytes) {}

    /** A host newer than this kiln-api, which added a component. */
    public record NewerStepProgress(long elapsedMs, long outputBytes, String stdoutTail, String stderrTail,
            long cpuMillis) {}

    @WorkflowInterface
    public interface OneActivity {
        @WorkflowMethod
        void run(String activityType);
    }

    public static final class OneActivityImpl implements OneActivity {
        @Override
        public void run(String activityType) {
            Workflow.newUntypedActivityStub(ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(1))
                    .setHeartbeatTimeout(Duration.ofSeconds(20))
                    .build()).execute(activityType, Void.class);
        }
    }

    /** Any activity type: heartbeats {@link #details} once and runs until the test ends. */
    private final class Heartbeating implements DynamicActivity {
        @Override
        public Object execute(EncodedValues args) {
            Activity.getExecutionContext().heartbeat(details);
            try {
                activitiesMayEnd.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }
    }

    @BeforeEach
    void start() {
        Worker worker = environment.newWorker(QUEUE);
        worker.registerWorkflowImplementationTypes(OneActivityImpl.class);
        worker.registerActivitiesImplementations(new Heartbeating());
        environment.start();
        client = environment.getWorkflowClient();
        heartbeats = new PendingActivityHeartbeats(client);
    }

    @AfterEach
    void stop() {
        activitiesMayEnd.countDown();
        environment.close();
    }

    @Test
    void readsTheRunningStepsProgressWithTheTailsOfItsOutput() throws Exception {
        start(TemplateBuildWorkflow.workflowId("bld-1"), BuildSandboxHostActivities.RUN_STEP,
                new StepProgress(1_234, 56, "one\ntwo\n", "warn\n"));

        Optional<StepProgress> latest = await(() -> heartbeats.runningStep("bld-1"));

        assertThat(latest).hasValue(new StepProgress(1_234, 56, "one\ntwo\n", "warn\n"));
        assertThat(heartbeats.runningStep("bld-unknown")).isEmpty();
    }

    @Test
    void theShorterPayloadOfAnOlderHostDecodesWithoutTailsAndALongerOneOfANewerHostDecodesToo() throws Exception {
        start(TemplateBuildWorkflow.workflowId("bld-old"), BuildSandboxHostActivities.RUN_STEP,
                new OldStepProgress(1_234, 56));
        start(TemplateBuildWorkflow.workflowId("bld-new"), BuildSandboxHostActivities.RUN_STEP,
                new NewerStepProgress(10, 20, "out", "err", 99));

        assertThat(await(() -> heartbeats.runningStep("bld-old"))).hasValue(new StepProgress(1_234, 56, null, null));
        assertThat(await(() -> heartbeats.runningStep("bld-new"))).hasValue(new StepProgress(10, 20, "out", "err"));
    }

    @Test
    void readsASessionCopysProgressAndAGoldenBuildsWriteSeriesOnlyFromTheirOwnActivityType() throws Exception {
        GoldenProgress copy = new GoldenProgress(GoldenProgress.COPY, 0, 2_100_000_000L, 7_000_000_000L, 0,
                "Unpacking build cache (2.1/7.0 GB)");
        start(SessionWorkflow.workflowId("ses-1"), GoldenHostActivities.SESSION_START, copy);
        String buildWorkflow = GoldenHostBuildWorkflow.workflowId("prj-1", "host-1", 1);
        GoldenProgress build = new GoldenProgress(GoldenProgress.SCRIPT, 5_000, 0, 0, 3_000_000,
                "Running the warm-up script", new WriteRateSeries("gb-1",
                        List.of(new WriteRateSample(1_000, 0), new WriteRateSample(3_000, 3_000_000)), 1.5,
                        "proc-io", true));
        start(buildWorkflow, GoldenHostActivities.BUILD, build);

        assertThat(await(() -> heartbeats.sessionStart("ses-1"))).hasValue(copy);
        assertThat(await(() -> heartbeats.goldenBuild(buildWorkflow))).hasValue(build);
        assertThat(heartbeats.latest(buildWorkflow, GoldenHostActivities.SESSION_START, GoldenProgress.class))
                .as("another activity type of the same workflow").isEmpty();
    }

    private void start(String workflowId, String activityType, Object heartbeat) throws InterruptedException {
        details = heartbeat;
        OneActivity workflow = client.newWorkflowStub(OneActivity.class, WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(QUEUE)
                .build());
        WorkflowClient.start(workflow::run, activityType);
        // The next workflow's activity must not pick up this one's details: wait until this one has sent them.
        await(() -> heartbeats.latest(workflowId, activityType, Object.class));
    }

    private static <T> Optional<T> await(Supplier<Optional<T>> read) throws InterruptedException {
        Optional<T> latest = Optional.empty();
        for (int attempt = 0; attempt < 100 && latest.isEmpty(); attempt++) {
            Thread.sleep(50);
            latest = read.get();
        }
        return latest;
    }
}
