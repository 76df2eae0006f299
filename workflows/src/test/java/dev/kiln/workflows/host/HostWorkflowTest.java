package dev.kiln.workflows.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.HostStatus;
import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.template.RemovalTargets;
import dev.kiln.workflows.template.TemplateRecordActivities;
import io.temporal.api.history.v1.History;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HostWorkflowTest {
    private static final String HOST = "host-1";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(HostWorkflowImpl.class);

    private final List<String> events = new CopyOnWriteArrayList<>();
    private TestWorkflowEnvironment environment;
    private WorkflowClient client;
    private HostWorkflow host;

    @BeforeEach
    void start(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        this.environment = environment;
        this.client = client;
        controlWorker.registerActivitiesImplementations(new HostRecordActivities() {
            @Override
            public void markUnreachable(String hostId, long silentForMs) {
                events.add("unreachable after " + Duration.ofMillis(silentForMs).toSeconds() + "s");
            }

            @Override
            public void markOnline(String hostId) {
                events.add("online");
            }

            @Override
            public List<String> reconcile(String hostId, List<ContainerState> containers) {
                events.add("reconcile " + containers.size() + " containers");
                return List.of("sb-2");
            }
        }, new TemplateRecordActivities() {
            @Override
            public RemovalTargets removalTargets() {
                throw new UnsupportedOperationException("not used by the host workflow");
            }

            @Override
            public void rememberRemoval(String hostId, String imageRef, String templateId) {
                throw new UnsupportedOperationException("not used by the host workflow");
            }

            @Override
            public List<String> pendingRemovals(String hostId) {
                return List.of("kiln/deleted:latest");
            }

            @Override
            public void forgetRemoval(String hostId, String imageRef) {
                events.add("forget " + imageRef);
            }
        });
        // Of the host's sandbox activities the host workflow only removes images.
        BuildSandboxHostActivities imageRemover = (BuildSandboxHostActivities) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BuildSandboxHostActivities.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("removeImage")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    events.add("remove " + args[0]);
                    return null;
                });
        environment.newWorker(TaskQueues.host(HOST)).registerActivitiesImplementations(imageRemover, new LifecycleHostActivities() {
            @Override
            public List<ContainerState> listSandboxContainers() {
                return List.of(new ContainerState("sb-1", "c1", "running"), new ContainerState("sb-2", "c2", "exited"));
            }

            @Override
            public void destroyAllSandboxes() {
                events.add("destroyed sandboxes");
            }

            @Override
            public void shutDown() {
                events.add("shut down");
            }
        });
        environment.start();
        host = client.newWorkflowStub(HostWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(HostWorkflow.workflowId(HOST))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build());
        WorkflowClient.start(host::run,
                new HostState(HOST, HostStatus.ONLINE, environment.currentTimeMillis(), TIMEOUT.toMillis(), 0));
    }

    @Test
    void ninetySecondsOfSilenceMarksTheHostUnreachableOnce() {
        environment.sleep(Duration.ofSeconds(89));
        assertThat(events).isEmpty();

        environment.sleep(Duration.ofSeconds(2));
        assertThat(events).containsExactly("unreachable after 90s");
        assertThat(host.state().status()).isEqualTo(HostStatus.UNREACHABLE);

        environment.sleep(Duration.ofMinutes(10));
        assertThat(events).as("once per outage").containsExactly("unreachable after 90s");
    }

    @Test
    void heartbeatsKeepTheHostOnline() {
        for (int i = 0; i < 5; i++) {
            environment.sleep(Duration.ofSeconds(30));
            host.heartbeat(new HostHeartbeat(environment.currentTimeMillis(), false));
        }
        environment.sleep(Duration.ofSeconds(60));

        assertThat(events).isEmpty();
        assertThat(host.state().status()).isEqualTo(HostStatus.ONLINE);
        assertThat(host.state().heartbeatsSeen()).isEqualTo(5);
    }

    @Test
    void aHeartbeatAfterAnOutageBringsTheHostBackAndReconcilesItsSandboxes() {
        environment.sleep(Duration.ofSeconds(100));

        host.heartbeat(new HostHeartbeat(environment.currentTimeMillis(), false));
        environment.sleep(Duration.ofSeconds(1));

        assertThat(events).containsExactly("unreachable after 90s", "online", "reconcile 2 containers",
                "remove kiln/deleted:latest", "forget kiln/deleted:latest");
        assertThat(host.state().status()).isEqualTo(HostStatus.ONLINE);
    }

    @Test
    void aHostThatPausedItsSandboxesWhileCutOffIsReconciledThoughItNeverReadUnreachable() {
        environment.sleep(Duration.ofSeconds(80));

        host.heartbeat(new HostHeartbeat(environment.currentTimeMillis(), true));
        environment.sleep(Duration.ofSeconds(1));
        host.heartbeat(new HostHeartbeat(environment.currentTimeMillis(), false));
        environment.sleep(Duration.ofSeconds(1));

        assertThat(events).containsExactly("reconcile 2 containers",
                "remove kiln/deleted:latest", "forget kiln/deleted:latest");
        assertThat(host.state().status()).isEqualTo(HostStatus.ONLINE);
    }

    @Test
    void deletionCleansTheHostAndEndsTheWorkflow() {
        host.deleted("key-admin");

        WorkflowStub.fromTyped(host).getResult(Void.class);
        assertThat(events).containsExactly("destroyed sandboxes", "shut down");
    }

    @Test
    void thousandsOfHeartbeatsContinueAsNewSoNoRunsHistoryGrowsUnbounded() {
        int beats = 2 * HostWorkflowImpl.HEARTBEATS_PER_RUN + 200;
        for (int i = 0; i < beats; i++) {
            host.heartbeat(new HostHeartbeat(environment.currentTimeMillis(), false));
        }
        environment.sleep(Duration.ofSeconds(5));

        assertThat(host.state().heartbeatsSeen()).isEqualTo(beats);
        History latestRun = client.fetchHistory(HostWorkflow.workflowId(HOST)).getHistory();
        assertThat(latestRun.getEventsCount()).isLessThan(5 * HostWorkflowImpl.HEARTBEATS_PER_RUN);
        String firstEventAttributes = latestRun.getEvents(0).getWorkflowExecutionStartedEventAttributes().toString();
        assertThat(firstEventAttributes).as("the latest run continues an earlier one").contains("continued_execution_run_id");
        assertThat(events).isEmpty();
    }
}
