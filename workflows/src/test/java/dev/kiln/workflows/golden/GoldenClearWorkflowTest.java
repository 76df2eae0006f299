package dev.kiln.workflows.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.kiln.workflows.KilnTestWorkflows.perHost;
import static dev.kiln.workflows.KilnTestWorkflows.startFleet;

import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.KilnTestWorkflows;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GoldenClearWorkflowTest {
    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(GoldenClearWorkflowImpl.class);

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final FakeGoldenRecords records = new FakeGoldenRecords(log);
    private final Map<String, FakeGoldenHost> hosts = perHost(hostId -> new FakeGoldenHost(hostId, log));
    private WorkflowClient client;
    private Worker controlWorker;

    @BeforeEach
    void start(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        this.client = client;
        this.controlWorker = controlWorker;
        startFleet(environment, controlWorker, records, hosts);
    }

    @Test
    void clearsTheGoldenOnEveryHostThatHasOneRecordingEachHostAsItIsCleared() {
        records.goldenHosts = List.of("host-1", "host-3");

        clear().clear("prj-1");

        assertThat(log).containsExactly(
                "control: golden hosts of prj-1",
                "host-1: clear prj-1 attempt 1",
                "control: cleared prj-1 on host-1",
                "host-3: clear prj-1 attempt 1",
                "control: cleared prj-1 on host-3");
    }

    @Test
    void hostsWithASessionCopyRunningKeepTheirGoldenTheOthersAreClearedAndTheClearFailsNamingThem() {
        records.goldenHosts = KilnTestWorkflows.FLEET;
        hosts.get("host-1").clearFailures.add(copyRunning());
        hosts.get("host-3").clearFailures.add(copyRunning());

        assertThatThrownBy(() -> clear().clear("prj-1"))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo(FailureType.GOLDEN_CONFLICT.name());
                    assertThat(failure.isNonRetryable()).isTrue();
                    assertThat(failure.getOriginalMessage())
                            .isEqualTo("a session copy is running on host-1, host-3; their goldens were kept");
                });
        assertThat(log).containsExactly(
                "control: golden hosts of prj-1",
                "host-1: clear prj-1 attempt 1",
                "host-2: clear prj-1 attempt 1",
                "control: cleared prj-1 on host-2",
                "host-3: clear prj-1 attempt 1");
    }

    @Test
    void aHostThatFailsOtherwiseIsRetriedThenFailsTheClearBeforeTheRemainingHostsAreTouched() {
        records.goldenHosts = KilnTestWorkflows.FLEET;
        for (int i = 0; i < 3; i++) {
            hosts.get("host-2").clearFailures.add(new UncheckedIOException(new IOException("Read-only file system")));
        }

        assertThatThrownBy(() -> clear().clear("prj-1"))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> assertThat(failure.getType())
                        .isEqualTo(UncheckedIOException.class.getName()));
        assertThat(log).containsExactly(
                "control: golden hosts of prj-1",
                "host-1: clear prj-1 attempt 1",
                "control: cleared prj-1 on host-1",
                "host-2: clear prj-1 attempt 1",
                "host-2: clear prj-1 attempt 2",
                "host-2: clear prj-1 attempt 3");
    }

    @Test
    void aProjectWithoutGoldensTouchesNoHost() {
        records.goldenHosts = List.of();

        clear().clear("prj-1");

        assertThat(log).containsExactly("control: golden hosts of prj-1");
    }

    /** What a host answers while a session copies its golden, as the real host does: non-retryable. */
    private static ApplicationFailure copyRunning() {
        return ApplicationFailure.newNonRetryableFailure("a session copy of project prj-1 is running on this host",
                FailureType.GOLDEN_CONFLICT.name());
    }

    private GoldenClearWorkflow clear() {
        return client.newWorkflowStub(GoldenClearWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(GoldenClearWorkflow.workflowId("prj-1"))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build());
    }
}
