package dev.kiln.workflows.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.kiln.workflows.KilnTestWorkflows.perHost;
import static dev.kiln.workflows.KilnTestWorkflows.startFleet;

import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.sandbox.StepCacheGcResult;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GoldenGcWorkflowTest {
    private static final String WORKFLOW_ID = "golden-gc-test";

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(GoldenGcWorkflowImpl.class);

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final FakeGoldenRecords records = new FakeGoldenRecords(log);
    private final Map<String, FakeGoldenHost> hosts = perHost(hostId -> new FakeGoldenHost(hostId, log));
    private final Map<String, FakeStepCacheHost> caches = perHost(hostId -> new FakeStepCacheHost(hostId, log));
    private WorkflowClient client;
    private Worker controlWorker;

    @BeforeEach
    void start(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        this.client = client;
        this.controlWorker = controlWorker;
        startFleet(environment, controlWorker, records, hosts, caches);
    }

    @Test
    void collectsGoldensAndTheStepCacheOnEveryOnlineHostAndReportsEverythingRemoved() {
        records.onlineHosts = List.of("host-1", "host-2");
        hosts.get("host-1").garbage = new GoldenGcResult(2, 1, 0);
        hosts.get("host-2").garbage = new GoldenGcResult(0, 3, 1);
        caches.get("host-1").collected = new StepCacheGcResult(4, 4096, 10, 1 << 20);
        caches.get("host-2").collected = new StepCacheGcResult(1, 512, 0, 0);

        collect(7);

        assertThat(log).containsExactly(
                "control: online hosts",
                "host-1: collect step cache",
                "host-1: collect idle for 7 days attempt 1",
                "host-2: collect step cache",
                "host-2: collect idle for 7 days attempt 1");
        assertThat(currentDetails()).isEqualTo("7 dirs removed, 5 step cache images removed");
    }

    @Test
    void aHostThatCannotCollectIsSkippedUntilTheNextRunAndTheOthersAreStillCollected() {
        records.onlineHosts = List.of("host-1", "host-2", "host-3");
        for (int i = 0; i < 3; i++) {
            hosts.get("host-2").collectFailures.add(ApplicationFailure.newFailure("daemon busy", "IOException"));
        }
        hosts.get("host-1").garbage = new GoldenGcResult(1, 0, 0);
        hosts.get("host-2").garbage = new GoldenGcResult(50, 50, 50);
        hosts.get("host-3").garbage = new GoldenGcResult(0, 0, 2);

        collect(3);

        assertThat(log).containsExactly(
                "control: online hosts",
                "host-1: collect step cache",
                "host-1: collect idle for 3 days attempt 1",
                "host-2: collect step cache",
                "host-2: collect idle for 3 days attempt 1",
                "host-2: collect idle for 3 days attempt 2",
                "host-2: collect idle for 3 days attempt 3",
                "host-3: collect step cache",
                "host-3: collect idle for 3 days attempt 1");
        assertThat(currentDetails()).as("host-2 removed nothing it reported")
                .isEqualTo("3 dirs removed, 0 step cache images removed");
    }

    @Test
    void noOnlineHostMeansNothingToCollect() {
        records.onlineHosts = List.of();

        collect(7);

        assertThat(log).containsExactly("control: online hosts");
        assertThat(currentDetails()).isEqualTo("0 dirs removed, 0 step cache images removed");
    }

    /** Runs the collection to its end; it must succeed, since a failed run would page an operator every day. */
    private void collect(long idleDays) {
        client.newWorkflowStub(GoldenGcWorkflow.class, WorkflowOptions.newBuilder()
                        .setWorkflowId(WORKFLOW_ID)
                        .setTaskQueue(controlWorker.getTaskQueue())
                        .build())
                .collect(idleDays);
    }

    /** What the Temporal UI shows for the run, read the way the UI reads it. */
    private String currentDetails() {
        return client.newUntypedWorkflowStub(WORKFLOW_ID)
                .query("__temporal_workflow_metadata", WorkflowMetadata.class)
                .getCurrentDetails();
    }
}
