package dev.kiln.workflows.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.TaskQueues;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A host that stops heartbeating or never polls its queue makes the build rerun from scratch on another host, on
 * the time-skipping test server.
 *
 * <p>That server does not advance its clock while any activity is pending (scheduled or running), so neither a
 * heartbeat timeout nor a ScheduleToStart timeout would fire before its real 30 s or 60 s. What does advance it is
 * {@code TestWorkflowEnvironment.sleep}, which lends one time lock for its duration: called while the client waits
 * for the result, from the silent step itself or from a thread that watches the unpolled activity, it lends the
 * pending activity's lock, the clock jumps to the timeout, and the lock comes back when the sleep ends.
 */
class TemplateBuildLostHostTest {
    private static final String BUILD = "bld-lost";

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(TemplateBuildWorkflowImpl.class);

    private final FakeBuildRecords records = new FakeBuildRecords();
    private final Map<String, FakeSandbox> hosts = new HashMap<>();

    @Test
    void aHostThatStopsHeartbeatingMidStepMakesTheBuildRerunFromScratchOnAnotherHost(
            TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        placeOn("host-a", "host-b");
        startWorkers(environment, controlWorker, "host-a", "host-b");
        host("host-a").goSilentAtStep(environment, 2);

        TemplateBuildResult result = stub(client, controlWorker).run(input("echo one", "echo two"));

        assertThat(result.hostId()).isEqualTo("host-b");
        assertThat(timeouts(client)).containsExactly("RunStep on host-host-a: TIMEOUT_TYPE_HEARTBEAT");
        // The lost host's sandbox is its host workflow's to remove when it is back (it reconciles build sandboxes
        // whose build moved on): the build neither touches the lost host again nor waits for it.
        assertThat(host("host-a").events).containsExactly(
                "create kiln/minimal:latest", "resolve cache lookup: 0 cached", "RUN echo one", "RUN echo two",
                "silent at 2");
        assertThat(host("host-b").events).as("another host's step cache does not hold what host-a ran")
                .containsExactly("create kiln/minimal:latest", "resolve cache lookup: 0 cached", "RUN echo one",
                "RUN echo two",
                "flatten kiln/tpl-" + BUILD + ":latest user root workdir null", "destroy " + BUILD);
        assertThat(records.events).containsExactly(
                "running " + BUILD,
                "placed " + BUILD + " on host-a excluding []",
                "started 1", "finished 1 exit 0",
                "started 2",
                "placed " + BUILD + " on host-b excluding [host-a]",
                "started 1", "finished 1 exit 0",
                "started 2", "finished 2 exit 0",
                "published web image kiln/tpl-" + BUILD + ":latest");
        assertThat(records.published).hasSize(1);
        assertThat(scheduled(client, "DestroyBuildSandbox")).containsExactly(
                "DestroyBuildSandbox on host-host-b: destroy build sandbox");
    }

    @Test
    void aHostThatNeverPollsItsQueueIsPassedOverAndNotWaitedFor(
            TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) throws Exception {
        placeOn("host-a", "host-b");
        startWorkers(environment, controlWorker, "host-b");
        FakeSandbox returning = new FakeSandbox();
        WorkerFactory hostAComesBack = WorkerFactory.newInstance(client);
        hostAComesBack.newWorker(TaskQueues.host("host-a")).registerActivitiesImplementations(returning);
        TemplateBuildWorkflow workflow = stub(client, controlWorker);
        WorkflowClient.start(workflow::run, input("echo one"));
        CompletableFuture<Void> hostAReturns = CompletableFuture.runAsync(() -> {
            skipPastScheduleToStart(environment, client, "CreateBuildSandbox", TaskQueues.host("host-a"));
            hostAComesBack.start();
        });

        try {
            TemplateBuildResult result = WorkflowStub.fromTyped(workflow).getResult(TemplateBuildResult.class);
            hostAReturns.get(30, TimeUnit.SECONDS);

            assertThat(result.hostId()).isEqualTo("host-b");
        } finally {
            hostAComesBack.shutdownNow();
            hostAComesBack.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(timeouts(client)).containsExactly("CreateBuildSandbox on host-host-a: TIMEOUT_TYPE_SCHEDULE_TO_START");
        assertThat(returning.events).as("the build never ran on host-a, and left nothing there to clean up")
                .isEmpty();
        assertThat(records.events).containsSubsequence(
                "placed " + BUILD + " on host-a excluding []",
                "placed " + BUILD + " on host-b excluding [host-a]",
                "published web image kiln/tpl-" + BUILD + ":latest");
        assertThat(records.published).hasSize(1);
    }

    @Test
    void aBuildThatLosesThreeHostsFailsNamingThemPublishesNothingAndLeavesTheirSandboxesToThem(
            TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        placeOn("host-a", "host-b", "host-c", "host-d");
        startWorkers(environment, controlWorker, "host-a", "host-b", "host-c", "host-d");
        for (String host : List.of("host-a", "host-b", "host-c")) {
            host(host).goSilentAtStep(environment, 1);
        }

        assertThatThrownBy(() -> stub(client, controlWorker).run(input("echo one")))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> assertThat(failure.getOriginalMessage())
                        .isEqualTo("recipe step 1 failed: host host-c was lost (TIMEOUT_TYPE_HEARTBEAT);"
                                + " hosts lost earlier: host-a, host-b"));
        assertThat(timeouts(client)).containsExactly(
                "RunStep on host-host-a: TIMEOUT_TYPE_HEARTBEAT",
                "RunStep on host-host-b: TIMEOUT_TYPE_HEARTBEAT",
                "RunStep on host-host-c: TIMEOUT_TYPE_HEARTBEAT");
        assertThat(records.events).filteredOn(event -> event.startsWith("placed")).containsExactly(
                "placed " + BUILD + " on host-a excluding []",
                "placed " + BUILD + " on host-b excluding [host-a]",
                "placed " + BUILD + " on host-c excluding [host-a, host-b]");
        assertThat(records.published).isEmpty();
        assertThat(records.events).last().asString().startsWith("failed step 1: ");
        for (String host : List.of("host-a", "host-b")) {
            assertThat(host(host).events).as(host).endsWith("silent at 1");
        }
        assertThat(host("host-c").events).as("the failed build's own last host is cleaned on the way out")
                .endsWith("destroy " + BUILD);
        assertThat(hosts.values()).allSatisfy(fake -> assertThat(fake.events).noneMatch(e -> e.startsWith("flatten")));
        assertThat(host("host-d").events).isEmpty();
    }

    @Test
    void aLostHostThatComesBackIsAHostAgainAndTheBuildRerunsThereFromTheStepsItCachedAfterRemovingWhatTheLostAttemptLeft(
            TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        placeOn("host-a");
        startWorkers(environment, controlWorker, "host-a");
        host("host-a").goSilentOnceAtStep(environment, 2);

        TemplateBuildResult result = stub(client, controlWorker).run(input("echo one", "echo two"));

        assertThat(result.hostId()).isEqualTo("host-a");
        assertThat(timeouts(client)).containsExactly("RunStep on host-host-a: TIMEOUT_TYPE_HEARTBEAT");
        assertThat(host("host-a").events).containsExactly(
                "create kiln/minimal:latest", "resolve cache lookup: 0 cached", "RUN echo one", "RUN echo two",
                "silent at 2",
                "destroy " + BUILD,
                "create kiln/minimal:latest", "resolve cache lookup: 1 cached", "RUN echo two",
                "flatten kiln/tpl-" + BUILD + ":latest user root workdir null", "destroy " + BUILD);
        assertThat(records.published).hasSize(1);
        assertThat(scheduled(client, "CreateBuildSandbox")).last().asString()
                .contains("rerun (host host-a was lost during recipe step 2; host host-a came back)");
    }

    @Test
    void aStepWhoseSandboxDiedWithItsEngineRerunsTheBuildOnTheSameHostFromTheStepsItCached(
            TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        placeOn("host-a");
        startWorkers(environment, controlWorker, "host-a");

        TemplateBuildResult result = stub(client, controlWorker).run(input("echo one", "engine restarts"));

        assertThat(result.hostId()).isEqualTo("host-a");
        assertThat(host("host-a").events).containsExactly(
                "create kiln/minimal:latest", "resolve cache lookup: 0 cached", "RUN echo one", "RUN engine restarts",
                "engine restarted at 2",
                "destroy " + BUILD,
                "create kiln/minimal:latest", "resolve cache lookup: 1 cached", "RUN engine restarts",
                "flatten kiln/tpl-" + BUILD + ":latest user root workdir null", "destroy " + BUILD);
        assertThat(records.published).hasSize(1);
        assertThat(scheduled(client, "CreateBuildSandbox")).last().asString()
                .contains("rerun (its sandbox died during recipe step 2");
    }

    private void placeOn(String... hostIds) {
        records.hostsToPlace.clear();
        records.hostsToPlace.addAll(List.of(hostIds));
    }

    private void startWorkers(TestWorkflowEnvironment environment, Worker controlWorker, String... pollingHosts) {
        controlWorker.registerActivitiesImplementations(records);
        for (String hostId : pollingHosts) {
            environment.newWorker(TaskQueues.host(hostId)).registerActivitiesImplementations(host(hostId));
        }
        environment.start();
    }

    private FakeSandbox host(String hostId) {
        return hosts.computeIfAbsent(hostId, id -> new FakeSandbox());
    }

    /**
     * Waits for {@code activityType} to be scheduled on the unpolled {@code taskQueue}, then sleeps past its
     * ScheduleToStart, lending the pending activity's time lock so that the clock can reach the timeout.
     */
    private static void skipPastScheduleToStart(
            TestWorkflowEnvironment environment, WorkflowClient client, String activityType, String taskQueue) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < giveUp) {
            Optional<Duration> scheduleToStart = client.fetchHistory(TemplateBuildWorkflow.workflowId(BUILD)).getEvents()
                    .stream()
                    .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                    .map(HistoryEvent::getActivityTaskScheduledEventAttributes)
                    .filter(scheduled -> scheduled.getActivityType().getName().equals(activityType)
                            && scheduled.getTaskQueue().getName().equals(taskQueue))
                    .map(scheduled -> Duration.ofSeconds(scheduled.getScheduleToStartTimeout().getSeconds()))
                    .findFirst();
            if (scheduleToStart.isPresent()) {
                environment.sleep(scheduleToStart.get().plusSeconds(1));
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(interrupted);
            }
        }
        throw new AssertionError(activityType + " was never scheduled on " + taskQueue);
    }

    /** Every activity timeout in the build's history, as "type on queue: timeout type", in order. */
    private static List<String> timeouts(WorkflowClient client) {
        List<HistoryEvent> events = client.fetchHistory(TemplateBuildWorkflow.workflowId(BUILD)).getEvents();
        Map<Long, ActivityTaskScheduledEventAttributes> scheduled = new HashMap<>();
        List<String> timeouts = new ArrayList<>();
        for (HistoryEvent event : events) {
            if (event.hasActivityTaskScheduledEventAttributes()) {
                scheduled.put(event.getEventId(), event.getActivityTaskScheduledEventAttributes());
            } else if (event.hasActivityTaskTimedOutEventAttributes()) {
                var timedOut = event.getActivityTaskTimedOutEventAttributes();
                ActivityTaskScheduledEventAttributes activity = scheduled.get(timedOut.getScheduledEventId());
                timeouts.add(activity.getActivityType().getName() + " on " + activity.getTaskQueue().getName() + ": "
                        + timedOut.getFailure().getTimeoutFailureInfo().getTimeoutType());
            }
        }
        return timeouts;
    }

    /** The activities of {@code activityType} the build scheduled, as "type on queue: summary". */
    private static List<String> scheduled(WorkflowClient client, String activityType) {
        return client.fetchHistory(TemplateBuildWorkflow.workflowId(BUILD)).getEvents().stream()
                .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
                .filter(event -> event.getActivityTaskScheduledEventAttributes().getActivityType().getName()
                        .equals(activityType))
                .map(event -> activityType + " on "
                        + event.getActivityTaskScheduledEventAttributes().getTaskQueue().getName() + ": "
                        + DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                                event.getUserMetadata().getSummary(), String.class, String.class))
                .toList();
    }

    private static TemplateBuildWorkflow stub(WorkflowClient client, Worker controlWorker) {
        return client.newWorkflowStub(TemplateBuildWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(TemplateBuildWorkflow.workflowId(BUILD))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build());
    }

    private static TemplateBuildInput input(String... commands) {
        List<BuildStep> steps = new ArrayList<>();
        for (int i = 0; i < commands.length; i++) {
            steps.add(new BuildStep(i + 1, "recipe", "RUN " + commands[i], "RUN", List.of(commands[i]), 30));
        }
        return new TemplateBuildInput(BUILD, "team-1", "tpl-" + BUILD, "web", "kiln/minimal:latest",
                "kiln/tpl-" + BUILD + ":latest", steps, 1, 512, null, false, Duration.ofHours(1).toSeconds());
    }
}
