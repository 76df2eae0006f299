package dev.kiln.workflows.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.TaskQueues;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SessionWorkflowTest {
    private static final String HOST = "host-1";
    private static final String SESSION = "ses-1";

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(SessionWorkflowImpl.class);

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final FakeGoldenRecords records = new FakeGoldenRecords(log);
    private final FakeGoldenHost host = new FakeGoldenHost(HOST, log);
    private TestWorkflowEnvironment environment;
    private WorkflowClient client;
    private Worker controlWorker;

    @BeforeEach
    void start(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        this.environment = environment;
        this.client = client;
        this.controlWorker = controlWorker;
        controlWorker.registerActivitiesImplementations(records);
        environment.newWorker(TaskQueues.host(HOST)).registerActivitiesImplementations(host);
        environment.start();
    }

    @Test
    void aStartedSessionRunsUntilStoppedThenStopsItsDaemonRemovingItsDataAndRecordsItStopped()
            throws InterruptedException {
        SessionWorkflow session = startSession();
        awaitRunning();

        // A session has no deadline of its own: a day later it still runs and its daemon is untouched.
        environment.sleep(Duration.ofDays(1));
        assertThat(status()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        assertThat(log).noneMatch(call -> call.contains(": stop "));

        session.stop("key-1");
        WorkflowStub.fromTyped(session).getResult(Void.class);

        assertThat(log).containsExactly(
                HOST + ": start " + SESSION + " of prj-1 attempt 1",
                "control: " + SESSION + " running generation " + FakeGoldenHost.GENERATION + " on " + FakeGoldenHost.SOCKET,
                HOST + ": stop " + SESSION + " removing its data",
                "control: " + SESSION + " ended stopped");
    }

    @Test
    void aStopThatArrivesDuringTheCopyEndsTheSessionOnceItHasStarted() throws InterruptedException {
        host.copyRelease = new CountDownLatch(1);
        SessionWorkflow session = startSession();
        assertThat(host.copyStarted.await(10, TimeUnit.SECONDS)).isTrue();

        session.stop("key-1");
        host.copyRelease.countDown();
        WorkflowStub.fromTyped(session).getResult(Void.class);

        assertThat(log).containsExactly(
                HOST + ": start " + SESSION + " of prj-1 attempt 1",
                "control: " + SESSION + " running generation " + FakeGoldenHost.GENERATION + " on " + FakeGoldenHost.SOCKET,
                HOST + ": stop " + SESSION + " removing its data",
                "control: " + SESSION + " ended stopped");
    }

    @Test
    void aCopyThatFailsOnceIsRetriedOnTheSameHostAndTheSessionRuns() throws InterruptedException {
        host.startFailures.add(ApplicationFailure.newFailure("copy interrupted: host rebooted", "IOException"));
        SessionWorkflow session = startSession();
        awaitRunning();

        session.stop("key-1");
        WorkflowStub.fromTyped(session).getResult(Void.class);

        assertThat(log).startsWith(
                HOST + ": start " + SESSION + " of prj-1 attempt 1",
                HOST + ": start " + SESSION + " of prj-1 attempt 2",
                "control: " + SESSION + " running generation " + FakeGoldenHost.GENERATION + " on " + FakeGoldenHost.SOCKET);
        assertThat(log).last().isEqualTo("control: " + SESSION + " ended stopped");
    }

    @Test
    void aCopyThatKeepsFailingEndsTheSessionFailedAfterThreeAttemptsAndStopsWhatItLeft() {
        for (int i = 0; i < 3; i++) {
            host.startFailures.add(ApplicationFailure.newFailure("no space left on device", "IOException"));
        }
        SessionWorkflow session = startSession();

        // A session that could not start is a recorded outcome, not a failed workflow.
        WorkflowStub.fromTyped(session).getResult(Void.class);

        assertThat(log).hasSize(5).startsWith(
                HOST + ": start " + SESSION + " of prj-1 attempt 1",
                HOST + ": start " + SESSION + " of prj-1 attempt 2",
                HOST + ": start " + SESSION + " of prj-1 attempt 3",
                HOST + ": stop " + SESSION + " removing its data");
        assertEndedFailedWith("no space left on device");
    }

    @Test
    void aNonRetryableStartFailureEndsTheSessionFailedWithoutASecondAttempt() {
        host.startFailures.add(ApplicationFailure.newNonRetryableFailure(
                "session " + SESSION + " belongs to project prj-2", FailureType.GOLDEN_CONFLICT.name()));
        SessionWorkflow session = startSession();

        WorkflowStub.fromTyped(session).getResult(Void.class);

        assertThat(log).hasSize(3).startsWith(
                HOST + ": start " + SESSION + " of prj-1 attempt 1",
                HOST + ": stop " + SESSION + " removing its data");
        assertEndedFailedWith("session " + SESSION + " belongs to project prj-2");
    }

    @Test
    void cancelDuringTheCopyWaitsForTheCopyToStopThenStopsTheDaemonAndRecordsTheSessionStopped()
            throws InterruptedException {
        host.copyRelease = new CountDownLatch(1);
        SessionWorkflow session = startSession();
        assertThat(host.copyStarted.await(10, TimeUnit.SECONDS)).isTrue();

        WorkflowStub untyped = WorkflowStub.fromTyped(session);
        untyped.cancel();

        assertThatThrownBy(() -> untyped.getResult(Void.class))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOf(CanceledFailure.class);
        assertThat(log).containsExactly(
                HOST + ": start " + SESSION + " of prj-1 attempt 1",
                HOST + ": copy of " + SESSION + " cancelled",
                HOST + ": stop " + SESSION + " removing its data",
                "control: " + SESSION + " ended stopped");
    }

    @Test
    void cancelOfARunningSessionStopsItsDaemonAndRecordsItStopped() throws InterruptedException {
        SessionWorkflow session = startSession();
        awaitRunning();

        WorkflowStub untyped = WorkflowStub.fromTyped(session);
        untyped.cancel();

        assertThatThrownBy(() -> untyped.getResult(Void.class))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOf(CanceledFailure.class);
        assertThat(log).endsWith(
                HOST + ": stop " + SESSION + " removing its data",
                "control: " + SESSION + " ended stopped");
    }

    @Test
    void aDaemonThatCannotBeStoppedStillEndsTheSessionRecordedStopped() throws InterruptedException {
        host.stopFailures.add(ApplicationFailure.newNonRetryableFailure("daemon did not exit", "IllegalStateException"));
        SessionWorkflow session = startSession();
        awaitRunning();

        session.stop("key-1");
        WorkflowStub.fromTyped(session).getResult(Void.class);

        assertThat(log).endsWith(
                HOST + ": stop " + SESSION + " removing its data",
                "control: " + SESSION + " ended stopped");
    }

    /**
     * The workflow records {@code ApplicationFailure.getMessage()}, which wraps the host's message as
     * {@code message='...', type='...', nonRetryable=...}; what must reach the session row is the host's message.
     */
    private void assertEndedFailedWith(String hostMessage) {
        assertThat(log).last().asString().startsWith("control: " + SESSION + " ended failed: ").contains(hostMessage);
    }

    /**
     * Returns once the workflow has taken in the recorded start and waits for a stop. A cancel that races the
     * completion of RecordSessionRunning hangs the test server (the workflow task that requests the activity's
     * cancel is refused with UnhandledCommand and never rescheduled), which a real server does not do.
     */
    private void awaitRunning() throws InterruptedException {
        assertThat(records.sessionRunning.await(10, TimeUnit.SECONDS)).isTrue();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < giveUp) {
            List<HistoryEvent> events = client.fetchHistory(SessionWorkflow.workflowId(SESSION)).getEvents();
            Set<Long> recordRunning = events.stream()
                    .filter(event -> event.hasActivityTaskScheduledEventAttributes()
                            && event.getActivityTaskScheduledEventAttributes().getActivityType().getName()
                                    .equals("RecordSessionRunning"))
                    .map(HistoryEvent::getEventId)
                    .collect(Collectors.toSet());
            boolean completed = false;
            for (HistoryEvent event : events) {
                if (event.hasActivityTaskCompletedEventAttributes()
                        && recordRunning.contains(event.getActivityTaskCompletedEventAttributes().getScheduledEventId())) {
                    completed = true;
                } else if (completed && event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new AssertionError("the session never took in its recorded start");
    }

    private SessionWorkflow startSession() {
        SessionWorkflow session = client.newWorkflowStub(SessionWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(SessionWorkflow.workflowId(SESSION))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build());
        WorkflowClient.start(session::run, new SessionInput(SESSION, "prj-1", "team-1", HOST));
        return session;
    }

    private WorkflowExecutionStatus status() {
        return client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
                        DescribeWorkflowExecutionRequest.newBuilder()
                                .setNamespace(environment.getNamespace())
                                .setExecution(WorkflowExecution.newBuilder()
                                        .setWorkflowId(SessionWorkflow.workflowId(SESSION)))
                                .build())
                .getWorkflowExecutionInfo()
                .getStatus();
    }
}
