package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.DockerTestSupport.MINIMAL_IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.Container;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.SandboxActivities;
import dev.kiln.workflows.sandbox.StepOutcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The activities through Temporal's test activity environment, which supplies heartbeats and cancellation. */
class SandboxActivitiesImplTest {

    private static final DockerTestSupport baseImage = new DockerTestSupport();
    private static DockerClient docker;

    private final DockerTestSupport support = new DockerTestSupport();
    private final String buildId = "test-" + UUID.randomUUID();
    private TestActivityEnvironment environment;
    private SandboxActivities activities;

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
        environment = TestActivityEnvironment.newInstance();
        environment.registerActivitiesImplementations(new SandboxActivitiesImpl(docker));
        activities = environment.newActivityStub(SandboxActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(2))
                .setHeartbeatTimeout(Duration.ofSeconds(2))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    }

    /** Every container labelled with the test's build, whatever its role, then the images the test made. */
    @AfterEach
    void removeWhatTheTestMade() throws InterruptedException {
        environment.close();
        for (Container container : labelled()) {
            support.container(container.getId());
        }
        support.removeAll();
    }

    @Test
    void createBuildSandboxIsIdempotentAndLabelsTheContainer() {
        String first = activities.createBuildSandbox(sandbox());
        String second = activities.createBuildSandbox(sandbox());

        assertThat(second).isEqualTo(first);
        assertThat(labelled()).extracting(Container::getId).containsExactly(first);
        InspectContainerResponse container = docker.inspectContainerCmd(first).exec();
        assertThat(container.getName()).isEqualTo("/kiln-build-" + buildId);
        assertThat(container.getConfig().getLabels())
                .containsEntry("kiln.build", buildId)
                .containsEntry("kiln.role", "build");
        assertThat(container.getState().getRunning()).isTrue();
        assertThat(container.getHostConfig().getMemory()).isEqualTo(128L * 1024 * 1024);
        assertThat(container.getHostConfig().getNanoCPUs()).isEqualTo(1_000_000_000L);
    }

    @Test
    void concurrentCreateBuildSandboxCallsAgreeOnOneContainer() throws Exception {
        SandboxActivitiesImpl direct = new SandboxActivitiesImpl(docker);
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

        StepOutcome outcome = activities.runStep(
                new RunStep(buildId, containerId, 1, "echo building; sleep 3; echo oops >&2; exit 2", null, 60));

        assertThat(outcome.step()).isEqualTo(1);
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.stdoutTail()).isEqualTo("building\n");
        assertThat(outcome.stderrTail()).isEqualTo("oops\n");
        assertThat(beats).isNotEmpty();
        assertThat(beats.get(0).outputBytes()).isEqualTo("building\n".length());
    }

    @Test
    void cancelledRunStepKillsTheStep() throws Exception {
        List<StepProgress> beats = new CopyOnWriteArrayList<>();
        environment.setActivityHeartbeatListener(StepProgress.class, beats::add);
        String containerId = activities.createBuildSandbox(sandbox());
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<StepOutcome> step = executor.submit(() -> activities.runStep(
                    new RunStep(buildId, containerId, 1, "sleep 311 & sleep 312", null, 0)));
            awaitFirstHeartbeat(beats);

            environment.requestCancelActivity();

            assertThatThrownBy(() -> step.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(CanceledFailure.class);
        } finally {
            executor.shutdownNow();
        }
        StepOutcome processes = activities.runStep(new RunStep(buildId, containerId, 2, "ps -o args", null, 30));
        assertThat(processes.stdoutTail()).doesNotContain("sleep 311", "sleep 312");
    }

    @Test
    void commitProducesAnImageWithTheConfiguredConfigAndTheStepsFiles() throws InterruptedException {
        String containerId = activities.createBuildSandbox(sandbox());
        StepOutcome wrote = activities.runStep(new RunStep(
                buildId, containerId, 1, "mkdir -p /srv/app && echo built > /srv/app/artifact.txt", null, 30));
        assertThat(wrote.ok()).isTrue();
        String imageRef = support.image("kiln-test/template-" + buildId + ":v1");

        ImageInfo image = activities.commitSandbox(new CommitSandbox(
                buildId, containerId, imageRef, "1000", "/srv/app", List.of("GREETING=hello"),
                Map.of("kiln.template", "demo")));

        assertThat(image.imageRef()).isEqualTo(imageRef);
        assertThat(image.sizeBytes()).isPositive();
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

        activities.commitSandbox(new CommitSandbox(buildId, containerId, imageRef, null, null, null, null));

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

        activities.commitSandbox(new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of()));

        assertThat(docker.inspectImageCmd(imageRef).exec().getConfig().getCmd())
                .containsExactly("/bin/sh", "-c", "echo base default");
    }

    @Test
    void commitIsIdempotentForTheSameBuild() {
        String containerId = activities.createBuildSandbox(sandbox());
        String imageRef = support.image("kiln-test/template-" + buildId + ":v1");
        CommitSandbox commit = new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of());

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
        activities.commitSandbox(new CommitSandbox(buildId, sandboxId, imageRef, null, null, null, Map.of()));
        String fromTemplate = support.container(docker.createContainerCmd(imageRef).exec().getId());

        activities.destroyBuildSandbox(buildId);

        assertThat(labelled()).extracting(Container::getId).containsExactly(fromTemplate);
    }

    @Test
    void removeImageRemovesTheImageAndToleratesItsAbsence() {
        String containerId = activities.createBuildSandbox(sandbox());
        String imageRef = support.image("kiln-test/template-" + buildId + ":v1");
        activities.commitSandbox(new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of()));

        activities.removeImage(imageRef);
        activities.removeImage(imageRef);

        assertThat(docker.listImagesCmd().withReferenceFilter(imageRef).exec()).isEmpty();
    }

    private CreateBuildSandbox sandbox() {
        return new CreateBuildSandbox(buildId, MINIMAL_IMAGE, 1, 128);
    }

    private List<Container> labelled() {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("kiln.build", buildId)).exec();
    }

    private static void awaitFirstHeartbeat(List<StepProgress> beats) throws InterruptedException {
        for (int attempt = 0; attempt < 100 && beats.isEmpty(); attempt++) {
            Thread.sleep(100);
        }
        assertThat(beats).as("heartbeats").isNotEmpty();
    }
}
