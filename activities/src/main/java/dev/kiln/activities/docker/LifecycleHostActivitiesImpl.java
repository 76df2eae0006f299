package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.kiln.workflows.host.ContainerLabels;
import dev.kiln.workflows.host.ContainerState;
import dev.kiln.workflows.host.HostContainers;
import dev.kiln.workflows.host.LifecycleHostActivities;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Host lifecycle on the local engine: what sandbox containers exist, and tearing them all down on deletion. */
public final class LifecycleHostActivitiesImpl implements LifecycleHostActivities {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleHostActivitiesImpl.class);

    private final DockerClient docker;
    private final HostLabels labels;
    private final Runnable shutDown;
    private final SandboxContainers containers;

    /** @param shutDown wipes the host's credentials and ends the process (after the caller has returned) */
    public LifecycleHostActivitiesImpl(DockerClient docker, HostLabels labels, Runnable shutDown) {
        this.docker = requireNonNull(docker, "docker is null");
        this.labels = requireNonNull(labels, "labels is null");
        this.shutDown = requireNonNull(shutDown, "shutDown is null");
        this.containers = new SandboxContainers(docker);
    }

    @Override
    public List<ContainerState> listSandboxContainers() {
        return sandboxContainers().stream()
                .map(container -> new ContainerState(container.getLabels().get(ContainerLabels.SANDBOX), container.getId(),
                        container.getState()))
                .toList();
    }

    @Override
    public HostContainers listContainers() {
        List<HostContainers.BuildSandbox> builds = buildSandboxContainers().stream()
                .map(container -> new HostContainers.BuildSandbox(container.getLabels().get(ContainerLabels.BUILD),
                        container.getId()))
                .toList();
        return new HostContainers(listSandboxContainers(), builds, 0);
    }

    /**
     * Only containers of this host: an id from a stale listing never removes another host's container. Removed as a
     * sandbox's own destroy removes it, so that the image of a template deleted while it ran goes too.
     */
    @Override
    public void removeContainers(List<String> containerIds) {
        Set<String> wanted = new HashSet<>(containerIds);
        docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(ContainerLabels.HOST, labels.hostId()))
                .exec().stream()
                .filter(container -> wanted.contains(container.getId()))
                .forEach(containers::remove);
    }

    /** Build sandboxes too: a host is deleted by force with builds on it, and they would hold the cache's images. */
    @Override
    public void destroyAllSandboxes() {
        // As a sandbox's own destroy does, so that the image of a template deleted while these ran goes too.
        containers.removeAll(labels.sandboxes());
        containers.removeAll(labels.buildSandboxes());
    }

    /**
     * A deleted host's sandboxes were already stopped by the control plane, so their containers go first, whichever
     * way the deletion was learned (this activity or a 404 heartbeat), as the reference agent did. Then its step
     * cache: no other host reads it, and nothing would ever collect it again.
     */
    @Override
    public void shutDown() {
        destroyAllSandboxes();
        int left = StepCache.removeAll(docker, labels);
        if (left > 0) {
            LOG.info("{} step cache images left: layers of templates, or in use", left);
        }
        shutDown.run();
    }

    private List<Container> sandboxContainers() {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(labels.sandboxes()).exec();
    }

    private List<Container> buildSandboxContainers() {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(labels.buildSandboxes()).exec();
    }
}
