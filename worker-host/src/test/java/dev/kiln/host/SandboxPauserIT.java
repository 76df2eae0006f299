package dev.kiln.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.activities.docker.BaseImages;
import dev.kiln.activities.docker.DockerClients;
import dev.kiln.activities.docker.HostLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two hosts on one real engine: the one cut off from kiln-api pauses its own sandboxes and leaves the other's
 * running. Before hosts labelled their containers, a cut-off host froze every sandbox on the engine.
 */
class SandboxPauserIT {
    private static final String IMAGE = "kiln-test/pauser-" + UUID.randomUUID() + ":latest";
    private static final List<String> CONTAINERS = new ArrayList<>();
    private static DockerClient docker;

    @BeforeAll
    static void importBaseImage() {
        docker = DockerClients.create("unix:///var/run/docker.sock");
        BaseImages.ensureMinimal(docker, IMAGE);
    }

    @AfterAll
    static void removeWhatTheTestMade() {
        for (String container : CONTAINERS) {
            try {
                docker.removeContainerCmd(container).withForce(true).exec();
            } catch (NotFoundException gone) {
                // removed already
            }
        }
        docker.removeImageCmd(IMAGE).withForce(true).exec();
    }

    @Test
    void aCutOffHostPausesItsOwnSandboxesOnly() {
        HostLabels cutOff = new HostLabels("host-it-" + UUID.randomUUID());
        HostLabels neighbour = new HostLabels("host-it-" + UUID.randomUUID());
        String own = sandbox(cutOff);
        String others = sandbox(neighbour);

        int paused = SandboxPauser.pauseAll(docker, cutOff);

        assertThat(paused).isEqualTo(1);
        assertThat(docker.inspectContainerCmd(own).exec().getState().getPaused()).isTrue();
        assertThat(docker.inspectContainerCmd(others).exec().getState().getPaused()).isFalse();
        assertThat(docker.inspectContainerCmd(others).exec().getState().getRunning()).isTrue();
    }

    private static String sandbox(HostLabels host) {
        Map<String, String> labels = host.sandbox("sb-" + UUID.randomUUID());
        String id = docker.createContainerCmd(IMAGE).withLabels(labels).withCmd("sleep", "600").exec().getId();
        CONTAINERS.add(id);
        docker.startContainerCmd(id).exec();
        return id;
    }
}
