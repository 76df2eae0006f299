package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.kiln.workflows.host.ContainerLabels;
import dev.kiln.workflows.host.ContainerState;
import dev.kiln.workflows.host.LifecycleHostActivities;
import java.util.List;

/** Host lifecycle on the local engine: what sandbox containers exist, and tearing them all down on deletion. */
public final class LifecycleHostActivitiesImpl implements LifecycleHostActivities {
    private final DockerClient docker;
    private final HostLabels labels;
    private final Runnable shutDown;

    /** @param shutDown wipes the host's credentials and ends the process (after the caller has returned) */
    public LifecycleHostActivitiesImpl(DockerClient docker, HostLabels labels, Runnable shutDown) {
        this.docker = requireNonNull(docker, "docker is null");
        this.labels = requireNonNull(labels, "labels is null");
        this.shutDown = requireNonNull(shutDown, "shutDown is null");
    }

    @Override
    public List<ContainerState> listSandboxContainers() {
        return sandboxContainers().stream()
                .map(container -> new ContainerState(container.getLabels().get(ContainerLabels.SANDBOX), container.getId(),
                        container.getState()))
                .toList();
    }

    @Override
    public void destroyAllSandboxes() {
        for (Container container : sandboxContainers()) {
            try {
                docker.removeContainerCmd(container.getId()).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException alreadyGone) {
                // removed meanwhile: the goal is reached
            }
        }
    }

    /**
     * A deleted host's sandboxes were already stopped by the control plane, so their containers go first, whichever
     * way the deletion was learned (this activity or a 404 heartbeat), as the reference agent did.
     */
    @Override
    public void shutDown() {
        destroyAllSandboxes();
        shutDown.run();
    }

    private List<Container> sandboxContainers() {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(labels.sandboxes()).exec();
    }
}
