package dev.kiln.activities.docker;

import static dev.kiln.activities.docker.DockerTestSupport.MINIMAL_IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BaseImagesIT {

    private final DockerTestSupport support = new DockerTestSupport();
    private DockerClient docker;

    @BeforeEach
    void startWithoutTheImage() throws InterruptedException {
        docker = DockerTestSupport.docker();
        try {
            docker.removeImageCmd(MINIMAL_IMAGE).withForce(true).exec();
        } catch (NotFoundException e) {
            // Not there to begin with.
        }
        support.image(MINIMAL_IMAGE);
    }

    @AfterEach
    void removeWhatTheTestMade() throws InterruptedException {
        support.removeAll();
    }

    @Test
    void ensureMinimalMakesAnImageWithAWorkingShell() throws InterruptedException {
        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);

        String output = support.run(
                MINIMAL_IMAGE, "/bin/sh", "-c", "echo hi; ls -ld /tmp | cut -c1-10; id -u; grep ^root: /etc/passwd");

        assertThat(output).isEqualTo("hi\ndrwxrwxrwt\n0\nroot:x:0:0:root:/root:/bin/sh\n");
    }

    @Test
    void minimalImageIsLabelledAndDefaultsToAShell() {
        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);

        InspectImageResponse image = docker.inspectImageCmd(MINIMAL_IMAGE).exec();
        assertThat(image.getConfig().getLabels()).containsEntry("kiln.base", "minimal");
        assertThat(image.getConfig().getCmd()).containsExactly("/bin/sh");
        assertThat(image.getConfig().getEnv()).anySatisfy(env -> assertThat(env).startsWith("PATH="));
    }

    @Test
    void ensureMinimalLeavesAnExistingImageAlone() {
        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);
        String first = docker.inspectImageCmd(MINIMAL_IMAGE).exec().getId();

        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);

        assertThat(docker.inspectImageCmd(MINIMAL_IMAGE).exec().getId()).isEqualTo(first);
    }

    @Test
    void ensureMinimalReplacesAnOutdatedImageUnderTheTag() throws InterruptedException {
        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);
        String current = docker.inspectImageCmd(MINIMAL_IMAGE).exec().getId();
        String containerId = support.container(docker.createContainerCmd(MINIMAL_IMAGE).exec().getId());
        ImageName name = ImageName.parse(MINIMAL_IMAGE);
        support.image(docker.commitCmd(containerId).withRepository(name.repository()).withTag(name.tag()).exec());
        assertThat(docker.inspectImageCmd(MINIMAL_IMAGE).exec().getId()).isNotEqualTo(current);

        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);

        assertThat(docker.inspectImageCmd(MINIMAL_IMAGE).exec().getId()).isEqualTo(current);
        assertThat(support.run(MINIMAL_IMAGE, "/bin/sh", "-c", "nohup echo via nohup")).isEqualTo("via nohup\n");
    }

    @Test
    void ensureMinimalMakesTheSameImageEveryTime() {
        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);
        String first = docker.inspectImageCmd(MINIMAL_IMAGE).exec().getId();
        docker.removeImageCmd(MINIMAL_IMAGE).withForce(true).exec();

        BaseImages.ensureMinimal(docker, MINIMAL_IMAGE);

        assertThat(docker.inspectImageCmd(MINIMAL_IMAGE).exec().getId()).isEqualTo(first);
    }

    @Test
    void concurrentEnsureMinimalCallsBothSucceedAndLeaveOneImage() throws Exception {
        List<String> danglingBefore = danglingImageIds();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(executor.submit(() -> BaseImages.ensureMinimal(docker, MINIMAL_IMAGE)));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            executor.shutdownNow();
        }

        assertThat(support.run(MINIMAL_IMAGE, "/bin/sh", "-c", "echo hi")).isEqualTo("hi\n");
        assertThat(danglingImageIds()).isEqualTo(danglingBefore);
    }

    private List<String> danglingImageIds() {
        return docker.listImagesCmd().withFilter("dangling", List.of("true")).exec().stream()
                .map(Image::getId)
                .sorted()
                .toList();
    }
}
