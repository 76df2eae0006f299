package dev.kiln.workflows.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.model.HostStatus;
import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.template.RemovalTargets;
import dev.kiln.workflows.template.TemplateRecordActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
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

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(HostWorkflowImpl.class);

    private final List<String> events = new CopyOnWriteArrayList<>();
    private TestWorkflowEnvironment environment;
    private WorkflowClient client;
    private HostWorkflow host;
    private volatile boolean workerAnswers = true;
    /** How many rows the next reconcile reports as changed during its listing. */
    private volatile int unsettledRows;

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
                throw new UnsupportedOperationException("heartbeat-driven runs only");
            }

            @Override
            public Reconciliation reconcileHost(String hostId, HostContainers containers) {
                events.add("reconcile " + containers.sandboxes().size() + " sandboxes, "
                        + containers.buildSandboxes().size() + " build sandboxes"
                        + (containers.listingStartedEpochMs() > 0 ? ", listed after the workflow asked" : ""));
                int unsettled = unsettledRows;
                unsettledRows = 0;
                return new Reconciliation(List.of("sb-2"), List.of("c2", "c3"), unsettled);
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
                throw new UnsupportedOperationException("heartbeat-driven runs only");
            }

            @Override
            public HostContainers listContainers() {
                if (!workerAnswers) {
                    throw ApplicationFailure.newNonRetryableFailure("worker not ready", "NOT_READY");
                }
                events.add("list");
                return new HostContainers(
                        List.of(new ContainerState("sb-1", "c1", "running"), new ContainerState("sb-2", "c2", "exited")),
                        List.of(new HostContainers.BuildSandbox("bld-gone", "c3")), 0);
            }

            @Override
            public void removeContainers(List<String> containerIds) {
                events.add("remove containers " + containerIds);
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
        WorkflowClient.start(host::run, HostState.pending(HOST));
    }

    /** What the host workflow does when its host comes up: list, reconcile, clean, online. */
    private static final List<String> COMING_UP = List.of("list",
            "reconcile 2 sandboxes, 1 build sandboxes, listed after the workflow asked",
            "remove containers [c2, c3]", "remove kiln/deleted:latest", "forget kiln/deleted:latest", "online");

    @Test
    void aPendingHostIsOnlineOnceItsFirstRenewalIsAnsweredByItsWorker() {
        assertThat(host.state().status()).isEqualTo(HostStatus.PENDING);

        host.leaseRenewed(new LeaseEvent(1, environment.currentTimeMillis(), 0));
        environment.sleep(Duration.ofSeconds(1));

        assertThat(events).containsExactlyElementsOf(COMING_UP);
        assertThat(host.state().status()).isEqualTo(HostStatus.ONLINE);
        assertThat(host.state().leaseGeneration()).isEqualTo(1);
    }

    @Test
    void aRenewedHostWhoseWorkerDoesNotAnswerStaysPendingAndIsAskedAgain() {
        workerAnswers = false;
        host.leaseRenewed(new LeaseEvent(1, environment.currentTimeMillis(), 0));
        environment.sleep(Duration.ofSeconds(1));
        assertThat(events).isEmpty();
        assertThat(host.state().status()).isEqualTo(HostStatus.PENDING);

        workerAnswers = true;
        environment.sleep(HostWorkflowImpl.VERIFY_RETRY);

        assertThat(events).containsExactlyElementsOf(COMING_UP);
        assertThat(host.state().status()).isEqualTo(HostStatus.ONLINE);
    }

    @Test
    void anExpiryMarksAnOnlineHostUnreachableOnceAndARenewalAfterItBringsItBack() {
        host.leaseRenewed(new LeaseEvent(1, environment.currentTimeMillis(), 0));
        environment.sleep(Duration.ofSeconds(1));
        events.clear();

        host.leaseExpired(new LeaseEvent(2, environment.currentTimeMillis(), 95_000));
        host.leaseExpired(new LeaseEvent(2, environment.currentTimeMillis(), 95_000));
        environment.sleep(Duration.ofSeconds(1));
        assertThat(events).as("once per outage").containsExactly("unreachable after 95s");
        assertThat(host.state().status()).isEqualTo(HostStatus.UNREACHABLE);

        events.clear();
        host.leaseRenewed(new LeaseEvent(3, environment.currentTimeMillis(), 0));
        environment.sleep(Duration.ofSeconds(1));
        assertThat(events).containsExactlyElementsOf(COMING_UP);
        assertThat(host.state().status()).isEqualTo(HostStatus.ONLINE);
    }

    @Test
    void anExpiryOvertakenByANewerRenewalIsIgnored() {
        host.leaseRenewed(new LeaseEvent(1, environment.currentTimeMillis(), 0));
        environment.sleep(Duration.ofSeconds(1));
        events.clear();

        // The heartbeat that renewed the lease signalled before the sweeper's older expiry arrived.
        host.leaseRenewed(new LeaseEvent(3, environment.currentTimeMillis(), 0));
        host.leaseExpired(new LeaseEvent(2, environment.currentTimeMillis(), 95_000));
        environment.sleep(Duration.ofSeconds(1));

        assertThat(events).doesNotContain("unreachable after 95s");
        assertThat(host.state().status()).isEqualTo(HostStatus.ONLINE);
        assertThat(host.state().leaseGeneration()).isEqualTo(3);
    }

    @Test
    void aReconcileReconcilesAnOnlineHostWithoutChangingItsStatus() {
        host.leaseRenewed(new LeaseEvent(1, environment.currentTimeMillis(), 0));
        environment.sleep(Duration.ofSeconds(1));
        events.clear();

        host.reconcile("its engine reported containers dying");
        environment.sleep(Duration.ofSeconds(1));

        assertThat(events).containsExactlyElementsOf(COMING_UP.subList(0, COMING_UP.size() - 1));
        assertThat(host.state().status()).isEqualTo(HostStatus.ONLINE);
    }

    /** HostComesBackIT's case: a sandbox started and killed within the listing's margin was left alone, once. */
    @Test
    void rowsLeftAloneForChangingDuringTheListingAreReconciledAgainOnceSettled() {
        host.leaseRenewed(new LeaseEvent(1, environment.currentTimeMillis(), 0));
        environment.sleep(Duration.ofSeconds(1));
        events.clear();

        unsettledRows = 1;
        host.reconcile("its engine reported containers dying");
        environment.sleep(Duration.ofSeconds(1));
        assertThat(events).filteredOn(event -> event.startsWith("reconcile")).hasSize(1);

        environment.sleep(HostWorkflowImpl.RECHECK_UNSETTLED);
        assertThat(events).filteredOn(event -> event.startsWith("reconcile")).hasSize(2);
        environment.sleep(Duration.ofMinutes(10));
        assertThat(events).as("settled: no more rechecks").filteredOn(event -> event.startsWith("reconcile")).hasSize(2);
    }

    @Test
    void withoutTransitionsADayAddsNothingToTheHistory() {
        host.leaseRenewed(new LeaseEvent(1, environment.currentTimeMillis(), 0));
        environment.sleep(Duration.ofSeconds(1));
        int before = client.fetchHistory(HostWorkflow.workflowId(HOST)).getHistory().getEventsCount();

        environment.sleep(Duration.ofDays(1));

        assertThat(client.fetchHistory(HostWorkflow.workflowId(HOST)).getHistory().getEventsCount()).isEqualTo(before);
        assertThat(host.state().status()).isEqualTo(HostStatus.ONLINE);
    }

    @Test
    void deletionCleansTheHostAndEndsTheWorkflow() {
        host.deleted("key-admin");

        WorkflowStub.fromTyped(host).getResult(Void.class);
        assertThat(events).containsExactly("destroyed sandboxes", "shut down");
    }
}
