package dev.kiln.host;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Container;
import dev.kiln.activities.docker.HostLabels;
import dev.kiln.workflows.host.DockerState;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freezes this host's running sandboxes when it loses the control plane; they resume through the API later. Only
 * its own: another host on the same engine still reaches kiln-api, and its sandboxes must keep running. Idempotent:
 * it is called on every failed heartbeat of an outage and touches only containers still running.
 */
final class SandboxPauser {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxPauser.class);

    private SandboxPauser() {}

    /** Returns how many it paused. */
    static int pauseAll(DockerClient docker, HostLabels labels) {
        List<Container> running = docker.listContainersCmd()
                .withLabelFilter(labels.sandboxes())
                .withStatusFilter(List.of(DockerState.RUNNING.spelling()))
                .exec();
        int paused = 0;
        for (Container container : running) {
            try {
                docker.pauseContainerCmd(container.getId()).exec();
                paused++;
            } catch (DockerException e) {
                LOG.warn("could not pause sandbox container {}: {}", container.getId(), e.getMessage());
            }
        }
        // Called on every failed heartbeat of an outage: only a beat that found something to freeze is news.
        if (!running.isEmpty()) {
            LOG.warn("cut off from kiln-api: paused {} of {} running sandboxes of host {}", paused, running.size(),
                    labels.hostId());
        }
        return paused;
    }
}
