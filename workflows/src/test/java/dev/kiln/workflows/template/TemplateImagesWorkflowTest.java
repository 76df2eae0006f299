package dev.kiln.workflows.template;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.kiln.workflows.KilnTestWorkflows.perHost;
import static dev.kiln.workflows.KilnTestWorkflows.startFleet;

import dev.kiln.workflows.KilnTestWorkflows;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TemplateImagesWorkflowTest {
    private static final String WORKFLOW_ID = TemplateImagesWorkflow.workflowId("team-1", "web");
    private static final TemplateImage FIRST = new TemplateImage("tpl-1", "kiln/tpl-1:latest");
    private static final TemplateImage SECOND = new TemplateImage("tpl-2", "kiln/tpl-2:latest");
    private static final TemplateImage THIRD = new TemplateImage("tpl-3", "kiln/tpl-3:latest");

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(TemplateImagesWorkflowImpl.class);

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final FakeTemplateRecords records = new FakeTemplateRecords(log);
    private final Map<String, FakeImageHost> hosts = perHost(hostId -> new FakeImageHost(hostId, log));
    private WorkflowClient client;
    private Worker controlWorker;

    @BeforeEach
    void start(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        this.client = client;
        this.controlWorker = controlWorker;
        startFleet(environment, controlWorker, records, hosts);
    }

    @Test
    void removesTheImageFromEveryOnlineHostAtOnceAndRemembersItForEveryHostThatIsAway() {
        records.targets = new RemovalTargets(List.of("host-1", "host-2"), List.of("host-3"));
        // host-1 finishes only once host-2 has started: one removal after the other would time host-1 out.
        hosts.get("host-1").release = hosts.get("host-2").removing;

        remove(FIRST);
        awaitDrained();

        assertThat(log).hasSize(4);
        assertThat(log.get(0)).isEqualTo("control: targets online [host-1, host-2] away [host-3]");
        assertThat(log.subList(1, 3)).containsExactlyInAnyOrder(
                "host-1: remove kiln/tpl-1:latest attempt 1",
                "host-2: remove kiln/tpl-1:latest attempt 1");
        assertThat(log.get(3)).isEqualTo("control: remember kiln/tpl-1:latest of tpl-1 for host-3");
    }

    @Test
    void aHostThatFailsEveryAttemptRemembersTheRemovalForWhenItReturns() {
        records.targets = new RemovalTargets(List.of("host-1", "host-2"), List.of());
        for (int i = 0; i < 3; i++) {
            hosts.get("host-2").failures.add(ApplicationFailure.newFailure("engine not responding", "IOException"));
        }

        remove(FIRST);
        awaitDrained();

        assertThat(log).filteredOn(call -> call.startsWith("host-2")).containsExactly(
                "host-2: remove kiln/tpl-1:latest attempt 1",
                "host-2: remove kiln/tpl-1:latest attempt 2",
                "host-2: remove kiln/tpl-1:latest attempt 3");
        assertThat(log).filteredOn(call -> call.startsWith("control: remember"))
                .containsExactly("control: remember kiln/tpl-1:latest of tpl-1 for host-2");
    }

    @Test
    void aRemovalThatFailsOnceIsRetriedAndNotRemembered() {
        records.targets = new RemovalTargets(List.of("host-1"), List.of());
        hosts.get("host-1").failures.add(ApplicationFailure.newFailure("engine restarting", "IOException"));

        remove(FIRST);
        awaitDrained();

        assertThat(log).containsExactly(
                "control: targets online [host-1] away []",
                "host-1: remove kiln/tpl-1:latest attempt 1",
                "host-1: remove kiln/tpl-1:latest attempt 2");
    }

    @Test
    void removalsSignalledWhileOneRunsAreDoneByTheSameRunInOrderOneAtATimeEachWithFreshTargets()
            throws InterruptedException {
        records.targets = new RemovalTargets(List.of("host-1"), List.of());
        FakeImageHost host = hosts.get("host-1");
        host.release = new CountDownLatch(1);
        WorkflowExecution first = remove(FIRST);
        assertThat(host.removing.await(10, TimeUnit.SECONDS)).isTrue();

        WorkflowExecution second = remove(SECOND);
        WorkflowExecution third = remove(THIRD);
        records.targets = new RemovalTargets(List.of("host-1"), List.of("host-2"));
        host.release.countDown();
        awaitDrained();

        assertThat(List.of(second.getRunId(), third.getRunId())).containsOnly(first.getRunId());
        assertThat(log).containsExactly(
                "control: targets online [host-1] away []",
                "host-1: remove kiln/tpl-1:latest attempt 1",
                "control: targets online [host-1] away [host-2]",
                "host-1: remove kiln/tpl-2:latest attempt 1",
                "control: remember kiln/tpl-2:latest of tpl-2 for host-2",
                "control: targets online [host-1] away [host-2]",
                "host-1: remove kiln/tpl-3:latest attempt 1",
                "control: remember kiln/tpl-3:latest of tpl-3 for host-2");
        assertThat(host.mostAtOnce).hasValue(1);
    }

    @Test
    void aRemovalAfterTheQueueHasDrainedStartsAFreshRun() {
        records.targets = new RemovalTargets(List.of("host-1"), List.of());

        WorkflowExecution first = remove(FIRST);
        awaitDrained();
        WorkflowExecution second = remove(SECOND);
        awaitDrained();

        assertThat(second.getRunId()).isNotEqualTo(first.getRunId());
        assertThat(log).filteredOn(call -> call.startsWith("host-1")).containsExactly(
                "host-1: remove kiln/tpl-1:latest attempt 1",
                "host-1: remove kiln/tpl-2:latest attempt 1");
    }

    /** Queues the image the way kiln-api does: signal-with-start on the template name's workflow. */
    private WorkflowExecution remove(TemplateImage image) {
        TemplateImagesWorkflow workflow = client.newWorkflowStub(TemplateImagesWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(WORKFLOW_ID)
                        .setTaskQueue(controlWorker.getTaskQueue())
                        .build());
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(workflow::run);
        request.add(workflow::remove, image);
        return client.signalWithStart(request);
    }

    /** The run ends once its queue is empty. */
    private void awaitDrained() {
        client.newUntypedWorkflowStub(WORKFLOW_ID).getResult(Void.class);
    }
}
