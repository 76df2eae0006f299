package dev.kiln.workflows.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.model.BuildStatus;
import dev.kiln.workflows.KilnTestWorkflows;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.sandbox.RunStep;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The build's step cache decisions and its step loop, against a host whose cache is the keys it committed: which
 * leading steps a rebuild takes from the cache, which it reruns, what it commits, and how each step shows in the
 * history.
 */
class TemplateBuildStepCacheTest {

    @RegisterExtension
    static final TestWorkflowExtension TEMPORAL = KilnTestWorkflows.extension(TemplateBuildWorkflowImpl.class);

    private final FakeBuildRecords records = new FakeBuildRecords();
    private final FakeSandbox sandbox = new FakeSandbox();
    private WorkflowClient client;
    private Worker controlWorker;

    @BeforeEach
    void startWorkers(TestWorkflowEnvironment environment, WorkflowClient client, Worker controlWorker) {
        this.client = client;
        this.controlWorker = controlWorker;
        controlWorker.registerActivitiesImplementations(records);
        environment.newWorker(TaskQueues.host("host-1")).registerActivitiesImplementations(sandbox);
        environment.start();
    }

    @Test
    void aRebuildOfTheSameStepsTakesEveryStepFromTheCacheRunsNoneAndStillPublishes() {
        build("bld-first", steps("apt-get install -y curl", "echo two", "echo three"));
        records.events.clear();
        sandbox.events.clear();

        TemplateBuildResult result = build("bld-second", steps("apt-get install -y curl", "echo two", "echo three"));

        assertThat(result.status()).isEqualTo(BuildStatus.SUCCESS);
        assertThat(sandbox.events).containsExactly(
                "create kiln/minimal:latest",
                "resolve cache lookup: 3 cached",
                "flatten kiln/tpl-bld-second:latest user root workdir null",
                "destroy bld-second");
        assertThat(records.events).containsExactly(
                "running bld-second",
                "placed bld-second on host-1 excluding []",
                "cached 1", "cached 2", "cached 3",
                "published web image kiln/tpl-bld-second:latest");
    }

    @Test
    void changingOneStepRerunsItAndEveryStepAfterIt() {
        build("bld-first", steps("echo one", "echo two", "echo three", "echo four"));
        sandbox.steps.clear();
        records.events.clear();

        build("bld-second", steps("echo one", "echo TWO", "echo three", "echo four"));

        assertThat(records.events).containsSubsequence("cached 1", "started 2", "finished 2 exit 0",
                "started 3", "finished 3 exit 0", "started 4", "finished 4 exit 0");
        assertThat(records.events).doesNotContain("cached 2", "cached 3", "cached 4");
        assertThat(sandbox.steps).extracting(step -> step.arguments().get(0))
                .containsExactly("echo TWO", "echo three", "echo four");
    }

    @Test
    void aChangedEnvValueIsNotCachedThoughItNeedsNoImageAndEveryStepAfterItReruns() {
        build("bld-first", input("bld-first", List.of(step(1, "RUN", "echo one"), step(2, "ENV", "WORD", "two"),
                step(3, "RUN", "echo $WORD")), false, false));
        sandbox.steps.clear();
        records.events.clear();

        build("bld-second", input("bld-second", List.of(step(1, "RUN", "echo one"), step(2, "ENV", "WORD", "TWO"),
                step(3, "RUN", "echo $WORD")), false, false));

        assertThat(records.events).contains("cached 1").doesNotContain("cached 2", "cached 3");
        assertThat(sandbox.steps).extracting(RunStep::step).containsExactly(2, 3);
    }

    @Test
    void aChangedArchiveEntryRerunsTheCopyThatReadsItAndEveryStepAfterItButNotTheCopyBefore() {
        List<BuildStep> steps = List.of(
                step(1, "RUN", "apt-get install -y nginx"),
                step(2, "COPY", "site", "/srv/site"),
                step(3, "COPY", "nginx.conf", "/etc/nginx/nginx.conf"),
                step(4, "RUN", "nginx -t"));
        sandbox.archiveEntries.put("site", "site-v1");
        sandbox.archiveEntries.put("nginx.conf", "conf-v1");
        build("bld-first", input("bld-first", steps, true, false));
        sandbox.steps.clear();
        records.events.clear();

        sandbox.archiveEntries.put("nginx.conf", "conf-v2");
        build("bld-second", input("bld-second", steps, true, false));

        assertThat(records.events).contains("cached 1", "cached 2").doesNotContain("cached 3", "cached 4");
        assertThat(sandbox.steps).extracting(RunStep::step).containsExactly(3, 4);
    }

    @Test
    void noCacheRunsEveryStepWithoutLookingUpOrAddingToTheCache() {
        build("bld-first", steps("echo one", "echo two"));
        sandbox.steps.clear();
        sandbox.events.clear();
        sandbox.cachedKeys.clear();

        build("bld-fresh", input("bld-fresh", steps("echo one", "echo two"), false, true));

        assertThat(sandbox.events).noneMatch(event -> event.startsWith("resolve cache"));
        assertThat(sandbox.steps).extracting(RunStep::step).containsExactly(1, 2);
        assertThat(sandbox.steps).allSatisfy(step -> assertThat(step.cacheKey()).isNull());
        assertThat(sandbox.cachedKeys).isEmpty();
    }

    @Test
    void startAndEveryStepAfterItAlwaysRunAndTheHealthcheckAlwaysProbes() {
        List<BuildStep> steps = List.of(step(1, "RUN", "echo setup"), step(2, "START", "serve"),
                step(3, "RUN", "echo after start"));
        HealthcheckSpec healthcheck = new HealthcheckSpec("curl -f localhost", 1000, 1000, 0, 3);
        build("bld-first", withHealthcheck(input("bld-first", steps, false, false), healthcheck));
        sandbox.steps.clear();
        sandbox.events.clear();
        records.events.clear();

        build("bld-second", withHealthcheck(input("bld-second", steps, false, false), healthcheck));

        assertThat(records.events).contains("cached 1").doesNotContain("cached 2", "cached 3");
        assertThat(sandbox.steps).extracting(RunStep::step).containsExactly(2, 3);
        assertThat(sandbox.steps).allSatisfy(step -> assertThat(step.cacheKey()).isNull());
        assertThat(sandbox.events).contains("probe curl -f localhost as root");
        assertThat(sandbox.events).as("a commit would keep the cached steps' layers under the snapshot")
                .anyMatch(event -> event.startsWith("flatten kiln/tpl-bld-second"))
                .noneMatch(event -> event.startsWith("commit "));
    }

    @Test
    void aSnapshotBuildThatRanEveryStepIsCommittedAsBefore() {
        HealthcheckSpec healthcheck = new HealthcheckSpec("curl -f localhost", 1000, 1000, 0, 3);

        build("bld-only", withHealthcheck(input("bld-only", steps("echo one", "echo two"), false, false), healthcheck));

        assertThat(sandbox.events).anyMatch(event -> event.startsWith("commit kiln/tpl-bld-only"))
                .noneMatch(event -> event.startsWith("flatten "));
    }

    @Test
    void aFailedStepIsNeverCommittedSoTheNextBuildRunsItAgain() {
        assertThatThrownBy(() -> build("bld-broken", steps("echo one", "fail here")))
                .isInstanceOf(WorkflowFailedException.class);
        assertThat(sandbox.cachedKeys).hasSize(1);
        sandbox.steps.clear();
        records.events.clear();

        assertThatThrownBy(() -> build("bld-again", steps("echo one", "fail here")))
                .isInstanceOf(WorkflowFailedException.class);

        assertThat(records.events).contains("cached 1");
        assertThat(sandbox.steps).extracting(RunStep::step).containsExactly(2);
    }

    @Test
    void cachedContextStepsCarryTheirEnvWorkdirAndUserIntoTheStepsThatRun() {
        build("bld-first", input("bld-first", List.of(step(1, "USER", "app"), step(2, "ENV", "MODE", "prod"),
                step(3, "WORKDIR", "srv"), step(4, "RUN", "make")), false, false));
        sandbox.steps.clear();

        build("bld-second", input("bld-second", List.of(step(1, "USER", "app"), step(2, "ENV", "MODE", "prod"),
                step(3, "WORKDIR", "srv"), step(4, "RUN", "make install")), false, false));

        assertThat(sandbox.steps).hasSize(1);
        assertThat(sandbox.steps.get(0).context().user()).isEqualTo("app");
        assertThat(sandbox.steps.get(0).context().workdir()).isEqualTo("/srv");
        assertThat(sandbox.steps.get(0).context().env()).containsEntry("MODE", "prod")
                .containsEntry("HOME", "/home/app");
    }

    @Test
    void eachStepThatRunsIsOneHostActivityWithOneLocalActivityRecordBetweenTwoSteps() {
        build("bld-loop", steps("echo one", "echo two", "echo three"));

        List<HistoryEvent> history = client.fetchHistory(TemplateBuildWorkflow.workflowId("bld-loop")).getEvents();
        List<String> activities = history.stream()
                .filter(event -> event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
                .map(event -> event.getActivityTaskScheduledEventAttributes().getActivityType().getName())
                .toList();
        long markers = history.stream()
                .filter(event -> event.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED)
                .filter(event -> event.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity"))
                .count();
        assertThat(activities).filteredOn("RunStep"::equals).hasSize(3);
        assertThat(activities).doesNotContain(
                "RecordStepStarted", "RecordStepFinished", "RecordStepTransition", "RecordStepCached");
        assertThat(markers).as("one record before each step and one after the last").isEqualTo(4);
        assertThat(records.events).containsSubsequence("started 1", "finished 1 exit 0", "started 2",
                "finished 2 exit 0", "started 3", "finished 3 exit 0");
    }

    @Test
    void theStepsAheadAreScheduledBeforeTheStepTheyFollowHasEndedEachNamingThatStep() {
        build("bld-ahead", steps("echo one", "echo two", "echo three", "echo four", "echo five"));

        assertThat(sandbox.steps).extracting(RunStep::step).containsExactly(1, 2, 3, 4, 5);
        assertThat(sandbox.steps).extracting(RunStep::afterStep).containsExactly(null, 1, 2, 3, 4);
        List<HistoryEvent> history = client.fetchHistory(TemplateBuildWorkflow.workflowId("bld-ahead")).getEvents();
        List<Long> scheduled = runStepsScheduled(history);
        long firstCompleted = history.stream()
                .filter(event -> event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
                .filter(event -> event.getActivityTaskCompletedEventAttributes().getScheduledEventId()
                        == scheduled.get(0))
                .findFirst().orElseThrow().getEventId();
        assertThat(scheduled).hasSize(5);
        assertThat(scheduled.subList(0, 1 + StepPipeline.AHEAD))
                .as("the first step and the %d after it are scheduled before the first ends", StepPipeline.AHEAD)
                .allMatch(eventId -> eventId < firstCompleted);
        assertThat(records.events).containsSubsequence("started 1", "finished 1 exit 0", "started 2",
                "finished 4 exit 0", "started 5", "finished 5 exit 0");
    }

    @Test
    void aStepScheduledAheadHasTimeForTheStepsItWaitsBehindAsWellAsForItself() {
        build("bld-long", steps("echo one", "echo two", "echo three", "echo four"));

        List<HistoryEvent> history = client.fetchHistory(TemplateBuildWorkflow.workflowId("bld-long")).getEvents();
        assertThat(history)
                .filteredOn(event -> event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
                .map(event -> event.getActivityTaskScheduledEventAttributes())
                .filteredOn(scheduled -> scheduled.getActivityType().getName().equals("RunStep"))
                .as("30 s steps: a minute over their own timeout and those of the steps still ahead of them")
                .extracting(scheduled -> scheduled.getStartToCloseTimeout().getSeconds())
                .containsExactly(90L, 120L, 150L, 150L);
    }

    @Test
    void theStepsScheduledAfterAFailedStepNeverRun() {
        assertThatThrownBy(() -> build("bld-broken", steps("echo one", "fail here", "echo three", "echo four")))
                .isInstanceOf(WorkflowFailedException.class)
                .rootCause().hasMessageContaining("recipe step 2 failed: boom: no such file");

        assertThat(sandbox.steps).extracting(RunStep::step).containsExactly(1, 2);
        assertThat(runStepsScheduled(client.fetchHistory(TemplateBuildWorkflow.workflowId("bld-broken")).getEvents()))
                .as("steps 3 and 4 were scheduled ahead").hasSize(4);
        assertThat(records.events).doesNotContain("started 3", "started 4");
        assertThat(sandbox.events).last().isEqualTo("destroy bld-broken");
    }

    @Test
    void aStepTheHostCouldNotRunInTurnRunsOnceTheStepBeforeItHasSucceeded() {
        sandbox.forgetEndOf(2);

        TemplateBuildResult result = build("bld-restarted", steps("echo one", "echo two", "echo three", "echo four"));

        assertThat(result.status()).isEqualTo(BuildStatus.SUCCESS);
        assertThat(sandbox.steps).as("each step ran once, in order").extracting(RunStep::step)
                .containsExactly(1, 2, 3, 4);
        List<HistoryEvent> history = client.fetchHistory(TemplateBuildWorkflow.workflowId("bld-restarted")).getEvents();
        assertThat(history).filteredOn(event -> event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED)
                .extracting(event -> event.getActivityTaskFailedEventAttributes().getFailure()
                        .getApplicationFailureInfo().getType())
                .contains("STEP_OUT_OF_TURN");
        assertThat(records.events).containsSubsequence("started 3", "finished 3 exit 0", "started 4",
                "finished 4 exit 0");
    }

    private static List<Long> runStepsScheduled(List<HistoryEvent> history) {
        return history.stream()
                .filter(event -> event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
                .filter(event -> event.getActivityTaskScheduledEventAttributes().getActivityType().getName()
                        .equals("RunStep"))
                .map(HistoryEvent::getEventId)
                .toList();
    }

    private TemplateBuildResult build(String buildId, List<BuildStep> steps) {
        return build(buildId, input(buildId, steps, false, false));
    }

    private TemplateBuildResult build(String buildId, TemplateBuildInput input) {
        return client.newWorkflowStub(TemplateBuildWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(TemplateBuildWorkflow.workflowId(buildId))
                .setTaskQueue(controlWorker.getTaskQueue())
                .build()).run(input);
    }

    private static List<BuildStep> steps(String... commands) {
        List<BuildStep> steps = new ArrayList<>();
        for (String command : commands) {
            steps.add(step(steps.size() + 1, "RUN", command));
        }
        return steps;
    }

    private static BuildStep step(int number, String instruction, String... arguments) {
        return new BuildStep(number, "recipe", instruction + " " + String.join(" ", arguments), instruction,
                List.of(arguments), 30);
    }

    private static TemplateBuildInput input(String buildId, List<BuildStep> steps, boolean hasArchive, boolean noCache) {
        return new TemplateBuildInput(buildId, "team-1", "tpl-" + buildId, "web", "kiln/minimal:latest",
                "kiln/tpl-" + buildId + ":latest", steps, 1, 512, null, hasArchive, Duration.ofHours(1).toSeconds(),
                noCache);
    }

    private static TemplateBuildInput withHealthcheck(TemplateBuildInput input, HealthcheckSpec healthcheck) {
        return new TemplateBuildInput(input.buildId(), input.teamId(), input.templateId(), input.templateName(),
                input.baseImageRef(), input.imageRef(), input.steps(), input.vcpus(), input.memoryMb(), healthcheck,
                input.hasArchive(), input.deadlineSeconds(), input.noCache());
    }
}
