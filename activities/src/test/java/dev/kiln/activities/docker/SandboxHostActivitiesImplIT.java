package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.DockerTestSupport.MINIMAL_IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.kiln.activities.sampler.SandboxSampler;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.host.ContainerState;
import dev.kiln.workflows.sandbox.CreateSandbox;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.MetricPoint;
import dev.kiln.workflows.sandbox.SandboxExec;
import dev.kiln.workflows.sandbox.SandboxExecResult;
import dev.kiln.workflows.sandbox.SandboxHostActivities;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import dev.kiln.workflows.sandbox.SnapshotSandbox;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * User sandboxes through Temporal's test activity environment on the real engine, with a sampler that lists
 * containers and sizes disks often enough for a test to see it. Each test has a sandbox id of its own; every
 * container carrying it, and every image the test names, is removed afterwards.
 */
class SandboxHostActivitiesImplIT {

    private static final long MIB = 1024 * 1024;
    private static final Map<String, String> TEMPLATE_ENV = Map.of("TEMPLATE_VAR", "from-template");

    private static final DockerTestSupport baseImage = new DockerTestSupport();
    private static DockerClient docker;

    private final DockerTestSupport support = new DockerTestSupport();
    private final String sandboxId = "test-" + UUID.randomUUID();
    private SandboxSampler sampler;
    private TestActivityEnvironment environment;
    private SandboxHostActivities activities;

    @BeforeAll
    static void importBaseImage() throws InterruptedException {
        docker = DockerTestSupport.docker();
        baseImage.image(MINIMAL_IMAGE);
        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);
    }

    @AfterAll
    static void removeBaseImage() throws InterruptedException {
        baseImage.removeAll();
    }

    @BeforeEach
    void startEnvironment() {
        sampler = new SandboxSampler(docker, DockerTestSupport.HOST, Clock.systemUTC(), Path.of("/proc"),
                Path.of("/sys/fs/cgroup"), Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(1));
        sampler.start();
        environment = TestActivityEnvironment.newInstance();
        environment.registerActivitiesImplementations(
                new SandboxHostActivitiesImpl(docker, DockerTestSupport.HOST, sampler));
        activities = environment.newActivityStub(SandboxHostActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setHeartbeatTimeout(Duration.ofSeconds(10))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    }

    /** Containers first (those started from a snapshot carry the sandbox label too), then images. */
    @AfterEach
    void removeWhatTheTestMade() throws InterruptedException {
        environment.close();
        sampler.close();
        for (Container container : docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of("kiln.sandbox", sandboxId))
                .exec()) {
            support.container(container.getId());
        }
        support.removeAll();
    }

    @Test
    void createStartsAContainerWithTheLimitsLabelsAndTemplateDefaults() {
        String containerId = activities.createSandbox(
                new CreateSandbox(sandboxId, MINIMAL_IMAGE, 2, 256, "1000:1000", "/tmp", TEMPLATE_ENV));

        InspectContainerResponse container = docker.inspectContainerCmd(containerId).exec();
        assertThat(container.getState().getRunning()).isTrue();
        assertThat(container.getHostConfig().getNanoCPUs()).isEqualTo(2_000_000_000L);
        assertThat(container.getHostConfig().getMemory()).isEqualTo(256 * MIB);
        assertThat(container.getConfig().getLabels())
                .containsEntry("kiln.sandbox", sandboxId)
                .containsEntry("kiln.role", "sandbox")
                .containsEntry("kiln.host", DockerTestSupport.HOST.hostId());
        assertThat(container.getConfig().getUser()).isEqualTo("1000:1000");
        assertThat(container.getConfig().getWorkingDir()).isEqualTo("/tmp");
        assertThat(container.getConfig().getEnv()).contains("TEMPLATE_VAR=from-template");
    }

    @Test
    void anotherHostOnTheSameEngineNeitherListsNorRemovesNorDestroysThisHostsSandbox() {
        String containerId = create();
        HostLabels neighbour = new HostLabels("host-it-neighbour-" + UUID.randomUUID());
        LifecycleHostActivitiesImpl neighbourLifecycle = new LifecycleHostActivitiesImpl(docker, neighbour, () -> {});
        LifecycleHostActivitiesImpl ownLifecycle =
                new LifecycleHostActivitiesImpl(docker, DockerTestSupport.HOST, () -> {});

        assertThat(neighbourLifecycle.listSandboxContainers()).extracting(ContainerState::containerId)
                .doesNotContain(containerId);
        neighbourLifecycle.destroyAllSandboxes();
        new SandboxHostActivitiesImpl(docker, neighbour, sampler).destroy(sandboxId);

        assertThat(docker.inspectContainerCmd(containerId).exec().getState().getRunning()).isTrue();
        assertThat(ownLifecycle.listSandboxContainers()).extracting(ContainerState::sandboxId, ContainerState::containerId)
                .contains(tuple(sandboxId, containerId));
    }

    @Test
    void createIsIdempotentOnTheSandboxIdAndStartsAStoppedSandboxAgain() {
        String first = create();
        docker.stopContainerCmd(first).withTimeout(5).exec();

        String second = create();

        assertThat(second).isEqualTo(first);
        assertThat(sandboxContainers()).hasSize(1);
        assertThat(docker.inspectContainerCmd(first).exec().getState().getRunning()).isTrue();
    }

    @Test
    void createFromAMissingImageFailsWithImageNotFound() {
        assertThatThrownBy(() -> activities.createSandbox(
                        new CreateSandbox(sandboxId, "kiln-test/missing-" + sandboxId + ":v1", 1, 128, null, null,
                                Map.of())))
                .satisfies(failure -> assertThat(failureType(failure)).isEqualTo(FailureType.IMAGE_NOT_FOUND.name()));
    }

    @Test
    void execReturnsBothStreamsAndTheExitCode() {
        create();

        SandboxExecResult result = exec("echo out; echo err >&2; exit 3", 30);

        assertThat(result).isEqualTo(new SandboxExecResult(3, "out\n", "err\n", false, false));
    }

    @Test
    void execRunsAsTheGivenUserInTheGivenWorkdirWithTheGivenEnvOverTheTemplates() {
        activities.createSandbox(new CreateSandbox(sandboxId, MINIMAL_IMAGE, 1, 128, null, null, TEMPLATE_ENV));

        SandboxExecResult result = activities.exec(new SandboxExec(sandboxId,
                "id -u; pwd; echo $GREETING; echo $TEMPLATE_VAR", 30, "1234", "/etc", Map.of("GREETING", "hi there")));

        assertThat(result.stdout()).isEqualTo("1234\n/etc\nhi there\nfrom-template\n");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void execWithoutUserOrWorkdirUsesTheTemplatesDefaults() {
        activities.createSandbox(
                new CreateSandbox(sandboxId, MINIMAL_IMAGE, 1, 128, "1000:1000", "/tmp", TEMPLATE_ENV));

        SandboxExecResult result = exec("id -u; pwd; echo $TEMPLATE_VAR", 30);

        assertThat(result.stdout()).isEqualTo("1000\n/tmp\nfrom-template\n");
    }

    @Test
    void execKillsTheCommandAtItsTimeout() {
        create();
        long started = System.nanoTime();

        SandboxExecResult result = exec("echo started; sleep 300", 1);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(SandboxHostActivitiesImpl.TIMEOUT_EXIT_CODE);
        assertThat(result.stdout()).isEqualTo("started\n");
        assertThat(exec("ps -o args | grep -c '^sleep 300' || true", 30).stdout()).isEqualTo("0\n");
    }

    @Test
    void execKeepsTheTailOfLongOutputAndSaysItWasCut() {
        create();

        SandboxExecResult result = exec("yes 0123456789 | head -c 200000; echo; echo END; echo short >&2", 30);

        assertThat(result.truncated()).isTrue();
        // 200000 bytes end inside the 18182nd line, which echo finishes.
        assertThat(result.stdout()).hasSize(SandboxHostActivitiesImpl.OUTPUT_CAP_BYTES).endsWith("9\n012345678\nEND\n");
        assertThat(result.stderr()).isEqualTo("short\n");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void pauseAndResumeAreIdempotent() {
        String containerId = create();

        activities.pause(sandboxId);
        activities.pause(sandboxId);
        assertThat(docker.inspectContainerCmd(containerId).exec().getState().getPaused()).isTrue();

        activities.resume(sandboxId);
        activities.resume(sandboxId);
        assertThat(docker.inspectContainerCmd(containerId).exec().getState().getPaused()).isFalse();
        assertThat(exec("echo alive", 30).stdout()).isEqualTo("alive\n");
    }

    @Test
    void execInAPausedSandboxFailsWithSandboxPaused() {
        create();
        activities.pause(sandboxId);

        assertThatThrownBy(() -> exec("echo hello", 30))
                .satisfies(failure -> assertThat(failureType(failure)).isEqualTo(FailureType.SANDBOX_PAUSED.name()));
    }

    @Test
    void execInAMissingOrStoppedSandboxFailsWithSandboxGone() {
        assertThatThrownBy(() -> exec("echo hello", 30))
                .satisfies(failure -> assertThat(failureType(failure)).isEqualTo(FailureType.SANDBOX_GONE.name()));

        String containerId = create();
        docker.stopContainerCmd(containerId).withTimeout(5).exec();

        assertThatThrownBy(() -> exec("echo hello", 30))
                .satisfies(failure -> assertThat(failureType(failure)).isEqualTo(FailureType.SANDBOX_GONE.name()));
        assertThatThrownBy(() -> activities.pause(sandboxId))
                .satisfies(failure -> assertThat(failureType(failure)).isEqualTo(FailureType.SANDBOX_GONE.name()));
    }

    @Test
    void destroyRemovesTheSandboxAndItsMetricsAndIsIdempotent() {
        create();
        awaitMetrics(metrics -> !metrics.raw().isEmpty());

        activities.destroy(sandboxId);
        activities.destroy(sandboxId);

        assertThat(sandboxContainers()).isEmpty();
        assertThat(activities.metrics(sandboxId)).isEqualTo(SandboxMetrics.empty());
        activities.destroy("never-" + sandboxId);
    }

    @Test
    void snapshotCommitsThePausedSandboxWithTheGivenDefaultsAndLeavesItPaused() throws InterruptedException {
        String containerId = create();
        exec("echo written-by-exec > /data.txt", 30);
        String imageRef = support.image("kiln-test/snapshot-" + sandboxId + ":v1");
        SnapshotSandbox request = new SnapshotSandbox(sandboxId, imageRef, false, "1000", "/tmp",
                Map.of("SNAPSHOT_VAR", "set"), Map.of("kiln.snapshot", "snap-1"));

        ImageInfo image = activities.snapshot(request);

        assertThat(docker.inspectContainerCmd(containerId).exec().getState().getPaused()).isTrue();
        InspectImageResponse inspected = docker.inspectImageCmd(imageRef).exec();
        assertThat(image.imageId()).isEqualTo(inspected.getId());
        assertThat(image.baseImageId()).as("the image the sandbox ran")
                .isEqualTo(docker.inspectContainerCmd(containerId).exec().getImageId());
        assertThat(image.layers()).isEqualTo(2);
        assertThat(inspected.getConfig().getUser()).isEqualTo("1000");
        assertThat(inspected.getConfig().getWorkingDir()).isEqualTo("/tmp");
        assertThat(inspected.getConfig().getEnv()).contains("SNAPSHOT_VAR=set");
        assertThat(inspected.getConfig().getLabels())
                .containsEntry("kiln.snapshot", "snap-1")
                .containsEntry("kiln.role", "snapshot");
        assertThat(support.run(imageRef, "/bin/sh", "-c", "cat /data.txt; id -u; pwd; echo $SNAPSHOT_VAR"))
                .isEqualTo("written-by-exec\n1000\n/tmp\nset\n");
        // A retry after a lost response finds the image it made.
        assertThat(activities.snapshot(request)).isEqualTo(image);
    }

    @Test
    void destroyingTheLastSandboxOfATemplateDeletedMeanwhileRemovesItsImage() throws InterruptedException {
        String imageRef = support.image("kiln-test/deleted-" + sandboxId + ":v1");
        String imageId = templateImageOfThisSandbox(imageRef);
        List<String> fromTemplate = List.of(sandboxId + "-a", sandboxId + "-b", sandboxId + "-c");
        try {
            for (String id : fromTemplate) {
                activities.createSandbox(new CreateSandbox(id, imageRef, 1, 128, null, null, Map.of()));
            }
            activities.destroy(fromTemplate.get(0));
            assertThat(docker.inspectImageCmd(imageRef).exec().getId()).as("a template's image stays while it exists")
                    .isEqualTo(imageId);

            // The template is deleted while sandboxes run from it: the engine untags the image and keeps it for them.
            docker.removeImageCmd(imageRef).withForce(true).exec();
            assertThat(docker.inspectImageCmd(imageId).exec().getRepoTags()).isEmpty();
            activities.destroy(fromTemplate.get(1));
            assertThat(docker.inspectImageCmd(imageId).exec().getId()).as("the last sandbox still runs from it")
                    .isEqualTo(imageId);
            activities.destroy(fromTemplate.get(2));

            assertThatThrownBy(() -> docker.inspectImageCmd(imageId).exec()).isInstanceOf(NotFoundException.class);
        } finally {
            fromTemplate.forEach(activities::destroy);
        }
    }

    /** Deleting a host removes its sandboxes the way their own destroy does, image of a deleted template included. */
    @Test
    void destroyingAllOfAHostsSandboxesRemovesTheImageOfATemplateDeletedMeanwhile() throws InterruptedException {
        try {
            SandboxOfADeletedTemplate sandbox = sandboxOfADeletedTemplate();

            new LifecycleHostActivitiesImpl(docker, DockerTestSupport.HOST, () -> {}).destroyAllSandboxes();

            assertThat(sandboxContainers()).isEmpty();
            assertThatThrownBy(() -> docker.inspectImageCmd(sandbox.imageId()).exec())
                    .isInstanceOf(NotFoundException.class);
        } finally {
            activities.destroy(fromDeletedTemplate());
        }
    }

    /** The reconcile removes a dead sandbox's container the way its own destroy does, image included. */
    @Test
    void removingADeadSandboxsContainerRemovesTheImageOfATemplateDeletedMeanwhile() throws InterruptedException {
        try {
            SandboxOfADeletedTemplate sandbox = sandboxOfADeletedTemplate();

            new LifecycleHostActivitiesImpl(docker, DockerTestSupport.HOST, () -> {})
                    .removeContainers(List.of(sandbox.containerId()));

            assertThatThrownBy(() -> docker.inspectContainerCmd(sandbox.containerId()).exec())
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> docker.inspectImageCmd(sandbox.imageId()).exec())
                    .isInstanceOf(NotFoundException.class);
        } finally {
            activities.destroy(fromDeletedTemplate());
        }
    }

    private record SandboxOfADeletedTemplate(String containerId, String imageId) {}

    /**
     * Starts sandbox {@link #fromDeletedTemplate} from a template made of this test's sandbox, then deletes the
     * template as kiln-api does while sandboxes run from it: the engine untags the image and keeps it for them.
     */
    private SandboxOfADeletedTemplate sandboxOfADeletedTemplate() throws InterruptedException {
        String imageRef = support.image("kiln-test/deleted-" + sandboxId + ":v1");
        String imageId = templateImageOfThisSandbox(imageRef);
        String containerId = activities.createSandbox(
                new CreateSandbox(fromDeletedTemplate(), imageRef, 1, 128, null, null, Map.of()));
        docker.removeImageCmd(imageRef).withForce(true).exec();
        return new SandboxOfADeletedTemplate(containerId, imageId);
    }

    private String fromDeletedTemplate() {
        return sandboxId + "-from-template";
    }

    @Test
    void snapshotWithFlattenGivesASingleLayerImage() throws InterruptedException {
        create();
        exec("mkdir -p /work && echo flat > /work/file.txt", 30);
        String imageRef = support.image("kiln-test/snapshot-flat-" + sandboxId + ":v1");

        ImageInfo image = activities.snapshot(
                new SnapshotSandbox(sandboxId, imageRef, true, null, "/work", Map.of(), Map.of()));

        assertThat(image.layers()).isEqualTo(1);
        assertThat(docker.inspectImageCmd(imageRef).exec().getRootFS().getLayers()).hasSize(1);
        assertThat(support.run(imageRef, "/bin/sh", "-c", "cat file.txt")).isEqualTo("flat\n");
        assertThat(sandboxContainers()).singleElement()
                .satisfies(container -> assertThat(container.getState()).isEqualTo("paused"));
    }

    @Test
    void snapshotOfAMissingSandboxFailsWithSandboxGoneAndLeavesNoImage() {
        String imageRef = support.image("kiln-test/snapshot-gone-" + sandboxId + ":v1");

        assertThatThrownBy(() -> activities.snapshot(
                        new SnapshotSandbox(sandboxId, imageRef, false, null, null, Map.of(), Map.of())))
                .satisfies(failure -> assertThat(failureType(failure)).isEqualTo(FailureType.SANDBOX_GONE.name()));
        assertThat(new SandboxImages(docker).inspect(imageRef)).isEmpty();
    }

    @Test
    void metricsShowABusySandboxsCpuMemoryAndDiskAndStopWhilePaused() {
        create();
        exec("while :; do :; done > /dev/null 2>&1 &", 30);

        SandboxMetrics busy = awaitMetrics(metrics -> metrics.raw().stream().anyMatch(point -> point.cpuPct() > 10));
        MetricPoint last = busy.raw().get(busy.raw().size() - 1);
        assertThat(last.rssBytes()).isPositive();
        assertThat(busy.halfMinute()).isNotEmpty();
        assertThat(busy.fiveMinute()).isNotEmpty();

        exec("dd if=/dev/zero of=/big.bin bs=1M count=5 2>/dev/null && sync", 30);
        awaitMetrics(metrics -> metrics.raw().stream().anyMatch(point -> point.diskBytes() >= 5 * MIB));

        SandboxMetrics atPause = activities.pause(sandboxId);
        assertThat(atPause.raw()).isNotEmpty();
        sleep(Duration.ofMillis(1500));
        assertThat(activities.metrics(sandboxId).raw()).hasSameSizeAs(atPause.raw());

        activities.resume(sandboxId);
        awaitMetrics(metrics -> metrics.raw().size() > atPause.raw().size() + 1);
    }

    private String create() {
        return activities.createSandbox(new CreateSandbox(sandboxId, MINIMAL_IMAGE, 1, 128, null, null, Map.of()));
    }

    private SandboxExecResult exec(String command, int timeoutSeconds) {
        return activities.exec(new SandboxExec(sandboxId, command, timeoutSeconds, null, null, Map.of()));
    }

    /** Creates this test's sandbox and snapshots it into {@code imageRef}, as a template is made; returns its id. */
    private String templateImageOfThisSandbox(String imageRef) {
        create();
        return activities.snapshot(new SnapshotSandbox(sandboxId, imageRef, false, null, null, Map.of(), Map.of()))
                .imageId();
    }

    private List<Container> sandboxContainers() {
        return docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of("kiln.sandbox", sandboxId, "kiln.role", "sandbox"))
                .exec();
    }

    /** Polls the metrics activity until {@code condition} holds, for at most 20 seconds. */
    private SandboxMetrics awaitMetrics(Predicate<SandboxMetrics> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            SandboxMetrics metrics = activities.metrics(sandboxId);
            if (condition.test(metrics)) {
                return metrics;
            }
            assertThat(System.nanoTime()).as("metrics never matched; last: %s", last(metrics)).isLessThan(deadline);
            sleep(Duration.ofMillis(250));
        }
    }

    private static Object last(SandboxMetrics metrics) {
        return metrics.raw().isEmpty() ? "no samples" : metrics.raw().get(metrics.raw().size() - 1);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The failure type an activity threw, through the stub's ActivityFailure wrapper. */
    private static String failureType(Throwable failure) {
        assertThat(failure).isInstanceOf(ActivityFailure.class);
        assertThat(failure.getCause()).isInstanceOf(ApplicationFailure.class);
        return ((ApplicationFailure) failure.getCause()).getType();
    }
}
