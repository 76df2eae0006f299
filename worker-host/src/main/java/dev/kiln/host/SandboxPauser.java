package dev.kiln.host;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Container;
import dev.kiln.workflows.host.DockerState;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Freezes every running sandbox when the host loses the control plane; they resume through the API later. */
final class SandboxPauser {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxPauser.class);

    private SandboxPauser() {}

    static void pauseAll(DockerClient docker) {
        List<Container> running = docker.listContainersCmd()
                .withLabelFilter(List.of("kiln.sandbox"))
                .withStatusFilter(List.of(DockerState.RUNNING.spelling()))
                .exec();
        for (Container container : running) {
            try {
                docker.pauseContainerCmd(container.getId()).exec();
            } catch (DockerException e) {
                LOG.warn("could not pause sandbox container {}: {}", container.getId(), e.getMessage());
            }
        }
        LOG.warn("cut off from kiln-api: paused {} sandboxes", running.size());
    }
}
