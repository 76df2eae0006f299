package dev.kiln.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The docker CLI, as an operator would check a template by hand. */
final class DockerCommands {
    private DockerCommands() {}

    /** Force-removes images a test produced; one already gone is fine. */
    static void removeImages(DockerClient docker, List<String> images) {
        for (String image : images) {
            try {
                docker.removeImageCmd(image).withForce(true).exec();
            } catch (NotFoundException alreadyGone) {
                // nothing to clean
            }
        }
    }

    /** Force-removes every container carrying the label: a key, whatever its value, or key=value. */
    static void removeContainersLabelled(DockerClient docker, String label) {
        for (Container container : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(label)).exec()) {
            try {
                docker.removeContainerCmd(container.getId()).withForce(true).exec();
            } catch (NotFoundException alreadyGone) {
                // nothing to clean
            }
        }
    }

    /** Every container of a sandbox, whatever its state: the sandbox's own and any started from its snapshots. */
    static List<Container> containersOf(DockerClient docker, String sandboxId) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("kiln.sandbox", sandboxId)).exec();
    }

    static boolean imageExists(DockerClient docker, String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Runs a throwaway container from the image and returns its combined output; fails on a non-zero exit. */
    static String runInImage(String image, String... command) throws IOException, InterruptedException {
        List<String> docker = new ArrayList<>(List.of("docker", "run", "--rm", image));
        docker.addAll(List.of(command));
        Process process = new ProcessBuilder(docker).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
