package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import dev.kiln.workflows.host.ContainerLabels;
import dev.kiln.workflows.host.DockerState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What build sandboxes and user sandboxes share: a keep-alive container with CPU and memory limits, found by its
 * owner's labels, created once however often the activity is retried.
 */
final class SandboxContainers {

    /** Keeps the sandbox alive between execs; exits at once on docker stop instead of waiting to be killed. */
    static final String[] KEEP_ALIVE = {
        "/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"
    };

    /** What Kiln labels the images that templates are made of: builds' and snapshots'. */
    private static final Set<String> TEMPLATE_ROLES = Set.of(ContainerLabels.ROLE_TEMPLATE, ContainerLabels.ROLE_SNAPSHOT);
    private static final Duration CONCURRENT_CREATE_WAIT = Duration.ofSeconds(10);
    private static final Duration CONCURRENT_CREATE_POLL = Duration.ofMillis(100);

    private final DockerClient docker;

    SandboxContainers(DockerClient docker) {
        this.docker = requireNonNull(docker, "docker is null");
    }

    /** The memory limit and CPU quota; swap equals the memory limit, so the limit is what the sandbox really gets. */
    static HostConfig limits(int vcpus, int memoryMb) {
        long memoryBytes = memoryMb * 1024L * 1024L;
        return HostConfig.newHostConfig()
                .withMemory(memoryBytes)
                .withMemorySwap(memoryBytes)
                .withNanoCPUs(vcpus * 1_000_000_000L);
    }

    /** Every container, running or not, carrying all of {@code labels}. */
    List<Container> labelled(Map<String, String> labels) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec();
    }

    Optional<Container> find(Map<String, String> labels) {
        return labelled(labels).stream().findFirst();
    }

    /**
     * Creates and starts the container {@code create} describes, or returns the one already carrying
     * {@code labels} (which {@code create} must set, under a name unique to the owner): the name makes a concurrent
     * attempt's create fail with a conflict, and that attempt's container is returned instead.
     */
    String createOnce(CreateContainerCmd create, Map<String, String> labels, String imageRef, String owner) {
        Optional<String> existing = startIfListed(labels);
        if (existing.isPresent()) {
            return existing.get();
        }
        String containerId;
        try {
            containerId = create.exec().getId();
        } catch (NotFoundException e) {
            // Create answers 404 only for the image.
            throw Failures.imageNotFound(imageRef, e);
        } catch (ConflictException e) {
            return awaitConcurrent(labels, e);
        } catch (BadRequestException e) {
            throw Failures.rejected("creating the sandbox for " + owner, e);
        }
        start(containerId);
        return containerId;
    }

    /**
     * The name is taken, so a concurrent attempt is creating this sandbox. Docker reserves the name before the
     * container shows up in listings, hence the short wait. If it never shows up, the name belongs to something
     * else; the conflict is rethrown and the activity's retries take over.
     */
    private String awaitConcurrent(Map<String, String> labels, ConflictException conflict) {
        long started = System.nanoTime();
        while (true) {
            Optional<String> created = startIfListed(labels);
            if (created.isPresent()) {
                return created.get();
            }
            if (System.nanoTime() - started >= CONCURRENT_CREATE_WAIT.toNanos()) {
                throw conflict;
            }
            try {
                Thread.sleep(CONCURRENT_CREATE_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                conflict.addSuppressed(e);
                throw conflict;
            }
        }
    }

    /**
     * The container carrying {@code labels}, started if need be; empty when there is none, or when the one listed
     * cannot be started yet. Docker lists a container while its create is still registering it, and answers 404 to
     * a start in that window.
     */
    private Optional<String> startIfListed(Map<String, String> labels) {
        Optional<Container> listed = find(labels);
        if (listed.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ensureRunning(listed.get()));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * A sandbox found stopped (the host restarted, say) is started again: its files are what matter. A paused one
     * is left paused: only a pause (by the API, or by the host cut off from it) freezes a sandbox, and a retried
     * create must not undo it.
     */
    private String ensureRunning(Container container) {
        if (!DockerState.RUNNING.is(container.getState()) && !DockerState.PAUSED.is(container.getState())) {
            start(container.getId());
        }
        return container.getId();
    }

    void start(String containerId) {
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (NotModifiedException e) {
            // Already running: a concurrent attempt started it.
        } catch (BadRequestException e) {
            // Typically the image has no /bin/sh; the same container would fail the same way again.
            throw Failures.rejected("starting sandbox " + containerId, e);
        }
    }

    /**
     * Force-removes every container carrying {@code labels}, with its anonymous volumes, and then the image it ran
     * from if that is a template deleted meanwhile: the engine only untags an image a container still uses, and
     * nothing else would ever remove it.
     */
    void removeAll(Map<String, String> labels) {
        labelled(labels).forEach(this::remove);
    }

    /** As {@link #removeAll}, for one container from a listing. */
    void remove(Container container) {
        try {
            docker.removeContainerCmd(container.getId()).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // Removed concurrently, which is what was asked.
        }
        removeIfDeletedTemplate(container.getImageId());
    }

    /**
     * Only an untagged image that Kiln made a template of; never by force, so that while another sandbox still
     * runs from it the engine refuses, and that sandbox's own removal takes it.
     */
    private void removeIfDeletedTemplate(String imageId) {
        if (imageId == null) {
            return;
        }
        try {
            InspectImageResponse image = docker.inspectImageCmd(imageId).exec();
            boolean untagged = image.getRepoTags() == null || image.getRepoTags().isEmpty();
            Map<String, String> imageLabels = image.getConfig() == null || image.getConfig().getLabels() == null
                    ? Map.of() : image.getConfig().getLabels();
            if (untagged && TEMPLATE_ROLES.contains(imageLabels.get(ContainerLabels.ROLE))) {
                docker.removeImageCmd(imageId).exec();
            }
        } catch (NotFoundException | ConflictException e) {
            // Gone already, or another container still runs from it.
        }
    }
}
