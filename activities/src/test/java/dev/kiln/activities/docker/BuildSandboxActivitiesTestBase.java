package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.DockerTestSupport.MINIMAL_IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The activities through Temporal's test activity environment, which supplies heartbeats and cancellation, on the
 * real engine. Each test gets a build id of its own; whatever carries its label is removed afterwards.
 */
abstract class BuildSandboxActivitiesTestBase {

    static final StepContext ROOT_CONTEXT =
            new StepContext("", Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "root");

    private static final DockerTestSupport baseImage = new DockerTestSupport();
    static DockerClient docker;

    final DockerTestSupport support = new DockerTestSupport();
    final String buildId = "test-" + UUID.randomUUID();
    /** What {@code UploadArchive} downloads, by build id. */
    final Map<String, byte[]> archives = new ConcurrentHashMap<>();
    private final AtomicInteger steps = new AtomicInteger();
    TestActivityEnvironment environment;
    /** What {@link #activities} calls, for tests that need a second environment on the same host. */
    BuildSandboxHostActivitiesImpl implementation;
    BuildSandboxHostActivities activities;
    private final List<TestActivityEnvironment> otherEnvironments = new ArrayList<>();

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
        implementation = new BuildSandboxHostActivitiesImpl(docker, DockerTestSupport.HOST, buildId -> {
            byte[] archive = archives.get(buildId);
            if (archive == null) {
                throw new FileNotFoundException("no archive for build " + buildId);
            }
            return new ByteArrayInputStream(archive);
        });
        environment = TestActivityEnvironment.newInstance();
        activities = stub(environment);
    }

    /** Another environment on the same host, closed after the test. */
    TestActivityEnvironment otherEnvironment() {
        TestActivityEnvironment other = TestActivityEnvironment.newInstance();
        otherEnvironments.add(other);
        return other;
    }

    /**
     * The activities of {@link #implementation} through {@code environment}. A test environment runs one activity at
     * a time, on a thread of its own, so activities that must run at once each need an environment.
     */
    BuildSandboxHostActivities stub(TestActivityEnvironment environment) {
        environment.registerActivitiesImplementations(implementation);
        return environment.newActivityStub(BuildSandboxHostActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setHeartbeatTimeout(Duration.ofSeconds(2))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    }

    /** Every container labelled with the test's build, whatever its role, then the images the test made. */
    @AfterEach
    void removeWhatTheTestMade() throws InterruptedException {
        environment.close();
        otherEnvironments.forEach(TestActivityEnvironment::close);
        for (Container container : labelled()) {
            support.container(container.getId());
        }
        support.removeAll();
    }

    String createSandbox() {
        return createSandbox(MINIMAL_IMAGE);
    }

    String createSandbox(String imageRef) {
        return activities.createBuildSandbox(new CreateBuildSandbox(buildId, imageRef, 1, 512));
    }

    /** Runs one instruction with the next step number; the default timeout unless {@code timeoutSeconds} says. */
    StepOutcome step(String containerId, StepContext context, String instruction, String... arguments) {
        return step(containerId, context, 0, instruction, arguments);
    }

    StepOutcome step(
            String containerId, StepContext context, long timeoutSeconds, String instruction, String... arguments) {
        return activities.runStep(new RunStep(buildId, containerId, steps.incrementAndGet(), instruction,
                List.of(arguments), context, timeoutSeconds));
    }

    /** A RUN that must succeed; returns its standard output. */
    String run(String containerId, StepContext context, String command) {
        StepOutcome outcome = step(containerId, context, "RUN", command);
        assertThat(outcome.ok()).as("RUN %s: %s", command, outcome.stderrTail()).isTrue();
        return outcome.stdoutTail();
    }

    List<Container> labelled() {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("kiln.build", buildId)).exec();
    }
}
