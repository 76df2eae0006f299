package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.DockerTestSupport.MINIMAL_IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Flattening a sandbox into a single-layer image, compared with committing it. */
class FlattenSandboxIT extends BuildSandboxActivitiesTestBase {

    private static final long MIB = 1024 * 1024;

    @Test
    void flattenGivesOneLayerWithTheStepsFilesAndTheConfiguredDefaults() throws InterruptedException {
        String containerId = createSandbox();
        StepContext context = activities.readEnvironment(containerId);
        context = step(containerId, context, "USER", "builder").context();
        context = step(containerId, context, "WORKDIR", "/home/builder").context();
        context = step(containerId, context, "ENV", "GREETING", "hello there").context();
        run(containerId, context, "echo built > artifact.txt");
        String imageRef = support.image("kiln-test/flat-" + buildId + ":v1");

        ImageInfo image = activities.flattenSandbox(new CommitSandbox(buildId, containerId, imageRef, "builder",
                "/home/builder", List.of("GREETING=hello there"), Map.of("kiln.template", "demo"), MINIMAL_IMAGE));

        assertThat(image.layers()).isEqualTo(1);
        assertThat(image.baseImageId()).isEqualTo(docker.inspectImageCmd(MINIMAL_IMAGE).exec().getId());
        assertThat(image.imageRef()).isEqualTo(imageRef);
        InspectImageResponse inspected = docker.inspectImageCmd(imageRef).exec();
        assertThat(inspected.getId()).isEqualTo(image.imageId());
        assertThat(inspected.getSize()).isEqualTo(image.sizeBytes());
        assertThat(inspected.getRootFS().getLayers()).hasSize(1);
        assertThat(inspected.getConfig().getUser()).isEqualTo("builder");
        assertThat(inspected.getConfig().getWorkingDir()).isEqualTo("/home/builder");
        assertThat(inspected.getConfig().getEnv())
                .contains("GREETING=hello there", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        assertThat(inspected.getConfig().getCmd()).containsExactly("/bin/sh");
        assertThat(inspected.getConfig().getLabels())
                .containsEntry("kiln.template", "demo")
                .containsEntry("kiln.build", buildId)
                .containsEntry("kiln.role", "template")
                .containsEntry("kiln.base", "minimal");
        assertThat(support.run(imageRef, "/bin/sh", "-c", "cat artifact.txt; id -un; echo $GREETING"))
                .isEqualTo("built\nbuilder\nhello there\n");
    }

    @Test
    void flattenDropsWhatTheBaseLayersHeldButAStepDeleted() throws InterruptedException {
        String baseRef = baseWithLargeFile();
        String containerId = createSandbox(baseRef);
        run(containerId, ROOT_CONTEXT, "rm /large.bin && echo kept > /small.txt");
        String committedRef = support.image("kiln-test/committed-" + buildId + ":v1");
        String flatRef = support.image("kiln-test/flat-" + buildId + ":v1");

        ImageInfo committed = activities.commitSandbox(
                new CommitSandbox(buildId, containerId, committedRef, null, null, null, Map.of(), null));
        ImageInfo flat = activities.flattenSandbox(
                new CommitSandbox(buildId, containerId, flatRef, null, null, null, Map.of(), null));

        assertThat(committed.layers()).isEqualTo(3);
        assertThat(committed.sizeBytes()).isGreaterThan(20 * MIB);
        assertThat(flat.layers()).isEqualTo(1);
        assertThat(flat.sizeBytes()).isLessThan(committed.sizeBytes() - 19 * MIB);
        assertThat(support.run(flatRef, "/bin/sh", "-c", "cat /small.txt; test -e /large.bin || echo no-large"))
                .isEqualTo("kept\nno-large\n");
    }

    /** The import goes over a connection of its own (LayerImport), which must reach a tcp:// engine as well. */
    @Test
    void flattenReachesAnEngineAtATcpAddress() throws Exception {
        String containerId = createSandbox();
        run(containerId, ROOT_CONTEXT, "echo over tcp > /marker");
        String imageRef = support.image("kiln-test/flat-tcp-" + buildId + ":v1");
        try (TcpToUnixForwarder engine = TcpToUnixForwarder.start("/var/run/docker.sock");
                DockerClient overTcp = DockerClients.create(engine.dockerHost())) {
            TestActivityEnvironment tcpEnvironment = TestActivityEnvironment.newInstance();
            try {
                tcpEnvironment.registerActivitiesImplementations(new BuildSandboxHostActivitiesImpl(
                        overTcp, DockerTestSupport.HOST, buildId -> InputStream.nullInputStream()));
                tcpEnvironment.newActivityStub(BuildSandboxHostActivities.class, ActivityOptions.newBuilder()
                                .setStartToCloseTimeout(Duration.ofMinutes(5))
                                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                                .build())
                        .flattenSandbox(new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of(),
                                null));
            } finally {
                tcpEnvironment.close();
            }
        }

        assertThat(docker.inspectImageCmd(imageRef).exec().getRootFS().getLayers()).hasSize(1);
        assertThat(support.run(imageRef, "cat", "/marker")).isEqualTo("over tcp\n");
    }

    @Test
    void flattenKeepsTheBaseImagesCommand() {
        String baseRef = support.image("kiln-test/base-with-command-" + buildId + ":latest");
        String baseContainer = support.container(docker.createContainerCmd(MINIMAL_IMAGE).exec().getId());
        docker.commitCmd(baseContainer).withRepository("kiln-test/base-with-command-" + buildId).withTag("latest")
                .withCmd("/bin/sh", "-c", "echo base default").exec();
        String containerId = createSandbox(baseRef);
        String imageRef = support.image("kiln-test/flat-" + buildId + ":v1");

        activities.flattenSandbox(new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of(), null));

        InspectImageResponse inspected = docker.inspectImageCmd(imageRef).exec();
        assertThat(inspected.getConfig().getCmd()).containsExactly("/bin/sh", "-c", "echo base default");
        assertThat(inspected.getConfig().getUser()).isEmpty();
    }

    @Test
    void flattenIsIdempotentForTheSameBuild() {
        String containerId = createSandbox();
        String imageRef = support.image("kiln-test/flat-" + buildId + ":v1");
        CommitSandbox flatten = new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of(), null);

        ImageInfo first = activities.flattenSandbox(flatten);
        ImageInfo second = activities.flattenSandbox(flatten);

        assertThat(second).isEqualTo(first);
    }

    @Test
    void flattenLeavesTheSandboxRunningAndNoTempFiles() throws IOException {
        List<Path> before = tempFiles();
        String containerId = createSandbox();
        String imageRef = support.image("kiln-test/flat-" + buildId + ":v1");

        activities.flattenSandbox(new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of(), null));

        assertThat(run(containerId, ROOT_CONTEXT, "echo still running")).isEqualTo("still running\n");
        assertThat(tempFiles()).isEqualTo(before);
    }

    @Test
    void flattenOfARemovedSandboxFailsAsGone() {
        String containerId = createSandbox();
        docker.removeContainerCmd(containerId).withForce(true).exec();
        String imageRef = support.image("kiln-test/flat-" + buildId + ":v1");

        assertThatThrownBy(() -> activities.flattenSandbox(
                        new CommitSandbox(buildId, containerId, imageRef, null, null, null, Map.of(), null)))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo(FailureType.SANDBOX_GONE.name());
                    assertThat(failure.isNonRetryable()).isTrue();
                });
    }

    /** The minimal image plus a 20 MiB file in a layer of its own, as a base image a recipe would trim. */
    private String baseWithLargeFile() throws InterruptedException {
        String repository = "kiln-test/base-large-" + buildId;
        String baseContainer = support.container(docker.createContainerCmd(MINIMAL_IMAGE)
                .withCmd("/bin/sh", "-c", "dd if=/dev/urandom of=/large.bin bs=1M count=20 2>/dev/null")
                .exec()
                .getId());
        docker.startContainerCmd(baseContainer).exec();
        docker.waitContainerCmd(baseContainer).start().awaitStatusCode();
        docker.commitCmd(baseContainer).withRepository(repository).withTag("latest").exec();
        return support.image(repository + ":latest");
    }

    private static List<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(file -> file.getFileName().toString().startsWith("kiln-flatten-")).sorted().toList();
        }
    }
}
