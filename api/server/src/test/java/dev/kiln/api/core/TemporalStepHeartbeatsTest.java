package dev.kiln.api.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.workflows.build.TemplateBuildWorkflow;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TemporalStepHeartbeatsTest {
    private static final String QUEUE = "heartbeats-test";
    private final CountDownLatch stepMayEnd = new CountDownLatch(1);
    private final TestWorkflowEnvironment environment = TestWorkflowEnvironment.newInstance();

    /** The host's heartbeat payload as it is today. */
    public record StepProgress(long elapsedMs, long outputBytes) {}

    @WorkflowInterface
    public interface OneStep {
        @WorkflowMethod
        void run();
    }

    @ActivityInterface
    public interface Steps {
        @ActivityMethod(name = "RunStep")
        void runStep();
    }

    public static final class OneStepImpl implements OneStep {
        @Override
        public void run() {
            Workflow.newActivityStub(Steps.class, ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(1))
                    .setHeartbeatTimeout(Duration.ofSeconds(20))
                    .build()).runStep();
        }
    }

    private static final class HeartbeatingStep implements Steps {
        private final CountDownLatch mayEnd;

        HeartbeatingStep(CountDownLatch mayEnd) {
            this.mayEnd = mayEnd;
        }

        @Override
        public void runStep() {
            Activity.getExecutionContext().heartbeat(new StepProgress(1_234, 56));
            try {
                mayEnd.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @AfterEach
    void stop() {
        stepMayEnd.countDown();
        environment.close();
    }

    @Test
    void readsTheRunningStepsHeartbeatDetails() throws Exception {
        Worker worker = environment.newWorker(QUEUE);
        worker.registerWorkflowImplementationTypes(OneStepImpl.class);
        worker.registerActivitiesImplementations(new HeartbeatingStep(stepMayEnd));
        environment.start();
        WorkflowClient client = environment.getWorkflowClient();
        OneStep workflow = client.newWorkflowStub(OneStep.class, WorkflowOptions.newBuilder()
                .setWorkflowId(TemplateBuildWorkflow.workflowId("bld-1"))
                .setTaskQueue(QUEUE)
                .build());
        WorkflowClient.start(workflow::run);
        TemporalStepHeartbeats heartbeats = new TemporalStepHeartbeats(new PendingActivityHeartbeats(client));

        Optional<JsonNode> latest = Optional.empty();
        for (int attempt = 0; attempt < 100 && latest.isEmpty(); attempt++) {
            Thread.sleep(50);
            latest = heartbeats.latest("bld-1");
        }

        assertThat(latest).hasValueSatisfying(details -> {
            assertThat(details.path("elapsedMs").asLong()).isEqualTo(1_234);
            assertThat(details.path("outputBytes").asLong()).isEqualTo(56);
        });
        assertThat(heartbeats.latest("bld-unknown")).isEmpty();
    }
}
