package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.DockerTestSupport.MINIMAL_IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.Container;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import dev.kiln.workflows.sandbox.StepProgress;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Sandbox lifecycle, steps' mechanics, environment, commit and clean-up. */
class BuildSandboxHostActivitiesImplIT extends BuildSandboxActivitiesTestBase {

    @Test
    void createBuildSandboxIsIdempotentAndLabelsTheContainer() {
        String first = activities.createBuildSandbox(sandbox());
        String second = activities.createBuildSandbox(sandbox());

        assertThat(second).isEqualTo(first);
        assertThat(labelled()).extracting(Container::getId).containsExactly(first);
        InspectContainerResponse container = docker.inspectContainerCmd(first).exec();
        assertThat(container.getName()).isEqualTo("/kiln-build-" + buildId + "-" + DockerTestSupport.HOST.hostId());
        assertThat(container.getConfig().getLabels())
                .containsEntry("kiln.build", buildId)
                .containsEntry("kiln.role", "build");
        assertThat(container.getState().getRunning()).isTrue();
        assertThat(container.getHostConfig().getMemory()).isEqualTo(128L * 1024 * 1024);
        assertThat(container.getHostConfig().getNanoCPUs()).isEqualTo(1_000_000_000L);
    }

    /** A build rerun after its host was lost, where the lost host shares the engine and its container lingers. */
    @Test
    void aSecondHostOnTheSameEngineCreatesItsOwnSandboxForTheSameBuild() {
        String lostHosts = activities.createBuildSandbox(sandbox());
        BuildSandboxHostActivitiesImpl otherHost = new BuildSandboxHostActivitiesImpl(docker,
                new HostLabels("host-it-other-" + UUID.randomUUID()), build -> {
                    throw new IOException("no archives in this test");
                });

        String rerun = otherHost.createBuildSandbox(sandbox());

        assertThat(rerun).isNotEqualTo(lostHosts);
        assertThat(labelled()).extracting(Container::getId).containsExactlyInAnyOrder(lostHosts, rerun);
    }

    @Test
    void concurrentCreateBuildSandboxCallsAgreeOnOneContainer() throws Exception {
        BuildSandboxHostActivitiesImpl direct = new BuildSandboxHostActivitiesImpl(docker, DockerTestSupport.HOST, build -> {
            throw new IOException("no archives in this test");
        });
        ExecutorService executor = Executors.newFixedThreadPool(3);
        try {
            List<Future<String>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(executor.submit(() -> direct.createBuildSandbox(sandbox())));
            }
            Set<String> ids = new HashSet<>();
            for (Future<String> call : calls) {
                ids.add(call.get(60, TimeUnit.SECONDS));
            }

            assertThat(ids).hasSize(1);
            assertThat(labelled()).extracting(Container::getId).containsExactlyElementsOf(ids);
            assertThat(docker.inspectContainerCmd(ids.iterator().next()).exec().getState().getRunning()).isTrue();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void createBuildSandboxStartsAStoppedSandboxAgain() {
        String containerId = activities.createBuildSandbox(sandbox());
        docker.stopContainerCmd(containerId).withTimeout(10).exec();

        assertThat(activities.createBuildSandbox(sandbox())).isEqualTo(containerId);
        assertThat(docker.inspectContainerCmd(containerId).exec().getState().getRunning()).isTrue();
    }

    @Test
    void createBuildSandboxWithAMissingImageFailsWithImageNotFound() {
        CreateBuildSandbox missing = new CreateBuildSandbox(buildId, "kiln-test/never-built:latest", 1, 128);

        assertThatThrownBy(() -> activities.createBuildSandbox(missing))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo(FailureType.IMAGE_NOT_FOUND.name());
                    assertThat(failure.isNonRetryable()).isTrue();
                });
        assertThat(labelled()).isEmpty();
    }

    @Test
    void createBuildSandboxRejectsLimitsTheEngineRefuses() {
        CreateBuildSandbox tooManyCpus = new CreateBuildSandbox(buildId, MINIMAL_IMAGE, 4096, 128);

        assertThatThrownBy(() -> activities.createBuildSandbox(tooManyCpus))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure ->
                        assertThat(failure.getType()).isEqualTo(FailureType.DOCKER_REJECTED.name()));
    }

    @Test
    void runStepReturnsTheOutcomeAndHeartbeatsProgress() {
        List<StepProgress> beats = new CopyOnWriteArrayList<>();
        environment.setActivityHeartbeatListener(StepProgress.class, beats::add);
        String containerId = activities.createBuildSandbox(sandbox());

        StepOutcome outcome = activities.runStep(new RunStep(buildId, containerId, 7, "RUN",
                List.of("echo building; sleep 3; echo oops >&2; exit 2"), ROOT_CONTEXT, 60));

        assertThat(outcome.step()).isEqualTo(7);
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.stdoutTail()).isEqualTo("building\n");
        assertThat(outcome.stderrTail()).isEqualTo("oops\n");
        assertThat(beats).isNotEmpty();
        assertThat(beats.get(0).outputBytes()).isEqualTo("building\n".length());
    }

    @Test
    void aStepScheduledAheadRunsOnlyOnceTheStepItFollowsHasSucceeded() throws Exception {
        String containerId = activities.createBuildSandbox(sandbox());

        StepsInTurn steps = withStepsAhead(containerId, "sleep 1; echo one >> /order", 1);

        assertThat(steps.first().ok()).isTrue();
        assertThat(steps.ahead().get(0).get(30, TimeUnit.SECONDS).ok()).isTrue();
        assertThat(run(containerId, ROOT_CONTEXT, "cat /order")).isEqualTo("one\ntwo\n");
    }

    /**
     * The workflow schedules two steps ahead, so the second waits on one that is itself waiting; a running step
     * longer than the host's patience with a predecessor it cannot see (10 s) must not make it give up.
     */
    @Test
    void stepsScheduledAheadOfALongStepWaitForItInTurn() throws Exception {
        String containerId = activities.createBuildSandbox(sandbox());

        StepsInTurn steps = withStepsAhead(containerId, "sleep 12; echo one >> /order", 2);

        assertThat(steps.first().ok()).isTrue();
        for (CompletableFuture<StepOutcome> ahead : steps.ahead()) {
            assertThat(ahead.get(30, TimeUnit.SECONDS).ok()).isTrue();
        }
        assertThat(run(containerId, ROOT_CONTEXT, "cat /order")).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void aStepScheduledAheadOfAStepThatFailsNeverRuns() throws Exception {
        String containerId = activities.createBuildSandbox(sandbox());

        StepsInTurn steps = withStepsAhead(containerId, "sleep 1; echo one >> /order; exit 3", 1);

        assertThat(steps.first().exitCode()).isEqualTo(3);
        assertThatThrownBy(() -> steps.ahead().get(0).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ActivityFailure.class)
                .cause().isInstanceOfSatisfying(ApplicationFailure.class, failure ->
                        assertThat(failure.getType()).isEqualTo(FailureType.STEP_OUT_OF_TURN.name()));
        assertThat(run(containerId, ROOT_CONTEXT, "cat /order")).isEqualTo("one\n");
    }

    private record StepsInTurn(StepOutcome first, List<CompletableFuture<StepOutcome>> ahead) {}

    /**
     * Steps 102, 103, ... (as many as {@code count}), which append "two", "three", ... to /order, arrive first, each
     * naming the step before it, and are waiting (they heartbeat while they wait) when step 101 starts and runs
     * {@code first}. Each runs in an environment of its own: a test environment runs one activity at a time.
     */
    private StepsInTurn withStepsAhead(String containerId, String first, int count) throws InterruptedException {
        List<String> words = List.of("two", "three", "four");
        List<CompletableFuture<StepOutcome>> ahead = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TestActivityEnvironment aheadEnvironment = otherEnvironment();
            CountDownLatch waiting = new CountDownLatch(1);
            aheadEnvironment.setActivityHeartbeatListener(Object.class, beat -> waiting.countDown());
            BuildSandboxHostActivities host = stub(aheadEnvironment);
            RunStep step = new RunStep(buildId, containerId, 102 + i, "RUN",
                    List.of("echo " + words.get(i) + " >> /order"), ROOT_CONTEXT, 60, null, 101 + i);
            ahead.add(CompletableFuture.supplyAsync(() -> host.runStep(step)));
            assertThat(waiting.await(30, TimeUnit.SECONDS)).as("step %d waits", step.step()).isTrue();
        }
        return new StepsInTurn(activities.runStep(new RunStep(buildId, containerId, 101, "RUN", List.of(first),
                ROOT_CONTEXT, 60)), ahead);
    }

    @Test
    void cancelledRunStepKillsTheStep() throws Exception {
        List<StepProgress> beats = new CopyOnWriteArrayList<>();
        environment.setActivityHeartbeatListener(StepProgress.class, beats::add);
        String containerId = activities.createBuildSandbox(sandbox());
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<StepOutcome> step = executor.submit(() -> activities.runStep(new RunStep(
                    buildId, containerId, 1, "RUN", List.of("sleep 311 & sleep 312"), ROOT_CONTEXT, 0)));
            awaitFirstHeartbeat(beats);

            environment.requestCancelActivity();

            assertThatThrownBy(() -> step.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(CanceledFailure.class);
        } finally {
            executor.shutdownNow();
        }
        assertThat(run(containerId, ROOT_CONTEXT, "ps -o args")).doesNotContain("sleep 311", "sleep 312");
    }

    @Test
    void commitProducesAnImageWithTheConfiguredConfigAndTheStepsFiles() throws InterruptedException {
        String containerId = activities.createBuildSandbox(sandbox());
        run(containerId, ROOT_CONTEXT, "mkdir -p /srv/app && echo built > /srv/app/artifact.txt");
        String imageRef = support.image("kiln-test/template-" + buildId + ":v1");

        ImageInfo image = activities.commitSandbox(new CommitSandbox(
                buildId, containerId, imageRef, "1000", "/srv/app", List.of("GREETING=hello"),
                Map.of("kiln.template", "demo"), MINIMAL_IMAGE));

        assertThat(image.imageRef()).isEqualTo(imageRef);
        assertThat(image.baseImageId()).isEqualTo(docker.inspectImageCmd(MINIMAL_IMAGE).exec().getId());
        assertThat(image.sizeBytes()).isPositive();
        assertThat(image.layers()).isEqualTo(2);
        InspectImageResponse inspected = docker.inspectImageCmd(imageRef).exec();
        assertThat(inspected.getId()).isEqualTo(image.imageId());
        assertThat(inspected.getConfig().getUser()).isEqualTo("1000");
        assertThat(inspected.getConfig().getWorkingDir()).isEqualTo("/srv/app");
        assertThat(inspected.getConfig().getEnv()).contains("GREETING=hello");
        assertThat(inspected.getConfig().getLabels())
                .containsEntry("kiln.template", "demo")
                .containsEntry("kiln.build", buildId)
                .containsEntry("kiln.role", "template");
        assertThat(support.run(imageRef, "/bin/sh", "-c", "cat artifact.txt; id -u; echo $GREETING"))
                .isEqualTo("built\n1000\nhello\n");
    }

    @Test
    void commitWithoutConfigKeepsTheBaseImagesDefaults() {
        String containerId = activities.createBuildSandbox(sandbox());
        String imageRef = support.image("kiln-test/template-" + buildId);

        activities.commitSandbox(new CommitSandbox(buildId, containerId, imageRef, null, null, null, null, null));

        InspectImageResponse inspected = docker.inspectImageCmd(imageRef + ":latest").exec();
        assertThat(inspected.getConfig().getUser()).isEmpty();
        assertThat(inspected.getConfig().getWorkingDir()).isEmpty();
    }

    @Test
    void commitRestoresTheBaseImagesCommandInsteadOfTheKeepAlive() {
        String baseRef = support.image("kiln-test/base-with-command-" + buildId + ":latest");
        String baseContainer = support.container(docker.createContainerCmd(MINIMAL_IMAGE).exec().getId());
        docker.commitCmd(baseContainer).withRepository("kiln-test/base-with-command-" + buildId).withTag("latest")
                .withCmd("/bin/sh", "-c", "echo base default").exec();
        String containerId = activities.createBuildSandbox(new CreateBuildSandbox(buildId, baseRef, 1, 128));
        String imageRef = support.image("kiln-test/template-" + buildId + ":v1");

        activities.commitSandbox(new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of(), null));

        assertThat(docker.inspectImageCmd(imageRef).exec().getConfig().getCmd())
                .containsExactly("/bin/sh", "-c", "echo base default");
    }

    @Test
    void commitIsIdempotentForTheSameBuild() {
        String containerId = activities.createBuildSandbox(sandbox());
        String imageRef = support.image("kiln-test/template-" + buildId + ":v1");
        CommitSandbox commit = new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of(), null);

        ImageInfo first = activities.commitSandbox(commit);
        ImageInfo second = activities.commitSandbox(commit);

        assertThat(second).isEqualTo(first);
    }

    @Test
    void destroyBuildSandboxLeavesNothingLabelled() {
        activities.createBuildSandbox(sandbox());

        activities.destroyBuildSandbox(buildId);
        activities.destroyBuildSandbox(buildId);

        assertThat(labelled()).isEmpty();
    }

    @Test
    void destroyBuildSandboxSparesContainersStartedFromTheTemplate() {
        String sandboxId = activities.createBuildSandbox(sandbox());
        String imageRef = support.image("kiln-test/template-" + buildId + ":v1");
        activities.commitSandbox(new CommitSandbox(buildId, sandboxId, imageRef, null, null, null, Map.of(), null));
        String fromTemplate = support.container(docker.createContainerCmd(imageRef).exec().getId());

        activities.destroyBuildSandbox(buildId);

        assertThat(labelled()).extracting(Container::getId).containsExactly(fromTemplate);
    }

    @Test
    void removeImageRemovesTheImageAndToleratesItsAbsence() {
        String containerId = activities.createBuildSandbox(sandbox());
        String imageRef = support.image("kiln-test/template-" + buildId + ":v1");
        activities.commitSandbox(new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of(), null));

        activities.removeImage(imageRef);
        activities.removeImage(imageRef);

        assertThat(docker.listImagesCmd().withReferenceFilter(imageRef).exec()).isEmpty();
    }

    @Test
    void readEnvironmentStartsAsRootWithTheSandboxesVariables() {
        String containerId = activities.createBuildSandbox(sandbox());

        StepContext context = activities.readEnvironment(containerId);

        assertThat(context.workdir()).isEmpty();
        assertThat(context.user()).isEqualTo("root");
        assertThat(context.env())
                .containsEntry("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .containsEntry("HOME", "/root")
                .containsKey("HOSTNAME");
    }

    @Test
    void aRemovedSandboxFailsTheStepAsGone() {
        String containerId = activities.createBuildSandbox(sandbox());
        docker.removeContainerCmd(containerId).withForce(true).exec();

        assertThatThrownBy(() -> step(containerId, ROOT_CONTEXT, "RUN", "true"))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo(FailureType.SANDBOX_GONE.name());
                    assertThat(failure.isNonRetryable()).isTrue();
                });
    }

    @Test
    void aStoppedSandboxFailsTheStepAsGone() {
        String containerId = activities.createBuildSandbox(sandbox());
        docker.stopContainerCmd(containerId).withTimeout(10).exec();

        assertThatThrownBy(() -> activities.readEnvironment(containerId))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure ->
                        assertThat(failure.getType()).isEqualTo(FailureType.SANDBOX_GONE.name()));
    }

    /**
     * An engine restart kills every container, and a restart policy or the host brings the sandbox back: the step then
     * exits 137, which must read as its sandbox dying (#13.4), not as the step failing, so the build can rerun.
     */
    @Test
    void aStepWhoseSandboxIsRestartedUnderItFailsAsTheSandboxDyingNotAsTheStep() throws Exception {
        String containerId = activities.createBuildSandbox(sandbox());

        Throwable failure = stepInterruptedBy(containerId, () -> docker.restartContainerCmd(containerId).withTimeout(0).exec());

        assertThat(failure).isInstanceOfSatisfying(ApplicationFailure.class, gone -> {
            assertThat(gone.getType()).isEqualTo(FailureType.SANDBOX_GONE.name());
            // Inspected while the engine still restarts it, or once it runs again: both name the engine's restart.
            assertThat(gone.getOriginalMessage()).contains("died during step 1").contains("Docker engine restart");
        });
    }

    @Test
    void aStepWhoseSandboxIsKilledUnderItFailsAsTheSandboxDyingAndSaysHow() throws Exception {
        String containerId = activities.createBuildSandbox(sandbox());

        Throwable failure = stepInterruptedBy(containerId, () -> docker.killContainerCmd(containerId).exec());

        assertThat(failure).isInstanceOfSatisfying(ApplicationFailure.class, gone -> {
            assertThat(gone.getType()).isEqualTo(FailureType.SANDBOX_GONE.name());
            assertThat(gone.getOriginalMessage()).contains("its container stopped").contains("did the Docker engine restart?");
        });
    }

    /** Runs a long step, does {@code fault} once it is under way, and returns the failure the step ended with. */
    private Throwable stepInterruptedBy(String containerId, Runnable fault) throws Exception {
        List<StepProgress> beats = new CopyOnWriteArrayList<>();
        environment.setActivityHeartbeatListener(StepProgress.class, beats::add);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<StepOutcome> step = executor.submit(() -> activities.runStep(new RunStep(
                    buildId, containerId, 1, "RUN", List.of("sleep 300"), ROOT_CONTEXT, 0)));
            awaitFirstHeartbeat(beats);
            fault.run();
            ExecutionException ended = assertThrows(ExecutionException.class,
                    () -> step.get(60, TimeUnit.SECONDS));
            assertThat(ended.getCause()).isInstanceOf(ActivityFailure.class);
            return ended.getCause().getCause();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aRemovedSandboxFailsTheCommitAsGone() {
        String containerId = activities.createBuildSandbox(sandbox());
        docker.removeContainerCmd(containerId).withForce(true).exec();
        String imageRef = support.image("kiln-test/template-" + buildId + ":v1");

        assertThatThrownBy(() -> activities.commitSandbox(
                        new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of(), null)))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure ->
                        assertThat(failure.getType()).isEqualTo(FailureType.SANDBOX_GONE.name()));
    }

    private CreateBuildSandbox sandbox() {
        return new CreateBuildSandbox(buildId, MINIMAL_IMAGE, 1, 128);
    }

    private static void awaitFirstHeartbeat(List<StepProgress> beats) throws InterruptedException {
        for (int attempt = 0; attempt < 100 && beats.isEmpty(); attempt++) {
            Thread.sleep(100);
        }
        assertThat(beats).as("heartbeats").isNotEmpty();
    }
}
