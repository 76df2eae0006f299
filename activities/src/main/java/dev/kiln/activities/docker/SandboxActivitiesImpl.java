package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CommitCmd;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.HostConfig;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.SandboxActivities;
import dev.kiln.workflows.sandbox.StepOutcome;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Build sandboxes on the local Docker engine. */
public final class SandboxActivitiesImpl implements SandboxActivities {

    static final String BUILD_LABEL = "kiln.build";
    static final String ROLE_LABEL = "kiln.role";
    static final String BUILD_ROLE = "build";
    /**
     * Docker copies the container's labels into a committed image, and containers inherit their image's labels,
     * so without an override every container started from a template would claim to be a build sandbox.
     */
    static final String TEMPLATE_ROLE = "template";

    /** Keeps the sandbox alive between execs; exits at once on docker stop instead of waiting to be killed. */
    private static final String[] KEEP_ALIVE = {
        "/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"
    };

    private static final Duration CONCURRENT_CREATE_WAIT = Duration.ofSeconds(10);
    private static final Duration CONCURRENT_CREATE_POLL = Duration.ofMillis(100);

    private final DockerClient docker;
    private final ContainerExec exec;

    public SandboxActivitiesImpl(DockerClient docker) {
        this.docker = requireNonNull(docker, "docker is null");
        this.exec = new ContainerExec(docker);
    }

    @Override
    public String createBuildSandbox(CreateBuildSandbox request) {
        Optional<Container> existing = findSandbox(request.buildId());
        if (existing.isPresent()) {
            return ensureRunning(existing.get());
        }
        long memoryBytes = request.memoryMb() * 1024L * 1024L;
        HostConfig limits = HostConfig.newHostConfig()
                .withMemory(memoryBytes)
                // Equal to the memory limit: no swap on top, so the limit is what the build really gets.
                .withMemorySwap(memoryBytes)
                .withNanoCPUs(request.vcpus() * 1_000_000_000L);
        String containerId;
        try {
            containerId = docker.createContainerCmd(request.imageRef())
                    .withName("kiln-build-" + request.buildId())
                    .withLabels(Map.of(BUILD_LABEL, request.buildId(), ROLE_LABEL, BUILD_ROLE))
                    .withCmd(KEEP_ALIVE)
                    .withHostConfig(limits)
                    .exec()
                    .getId();
        } catch (NotFoundException e) {
            // Create answers 404 only for the image; sandboxes never pull, so retrying cannot help.
            throw ApplicationFailure.newNonRetryableFailureWithCause(
                    "image " + request.imageRef() + " is not on this host", FailureType.IMAGE_NOT_FOUND.name(), e);
        } catch (ConflictException e) {
            return awaitConcurrentSandbox(request.buildId(), e);
        } catch (BadRequestException e) {
            throw rejected("creating the sandbox for build " + request.buildId(), e);
        }
        start(containerId);
        return containerId;
    }

    @Override
    public StepOutcome runStep(RunStep request) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        if (context.getInfo().getAttempt() > 1) {
            // The attempt before may have lost its worker while the step kept running in the sandbox; two copies
            // of a step at once (two package managers, say) would fight over the same files.
            exec.kill(request);
        }
        return exec.run(request, context::heartbeat);
    }

    @Override
    public ImageInfo commitSandbox(CommitSandbox request) {
        Optional<InspectImageResponse> existing = inspectImage(request.imageRef());
        if (existing.isPresent() && request.buildId().equals(labels(existing.get()).get(BUILD_LABEL))) {
            // An earlier attempt committed and its response was lost; committing again would leave its image
            // dangling and report a different id.
            return imageInfo(request.imageRef(), existing.get());
        }
        Map<String, String> labels = new HashMap<>(request.labels() == null ? Map.of() : request.labels());
        labels.put(BUILD_LABEL, request.buildId());
        labels.put(ROLE_LABEL, TEMPLATE_ROLE);
        ImageName name = ImageName.parse(request.imageRef());
        CommitCmd commit = docker.commitCmd(request.containerId())
                .withRepository(name.repository())
                .withTag(name.tag())
                .withLabels(labels);
        if (request.user() != null) {
            commit.withUser(request.user());
        }
        if (request.workdir() != null) {
            commit.withWorkingDir(request.workdir());
        }
        if (request.env() != null && !request.env().isEmpty()) {
            // Docker merges these over the container's environment, so the base image's PATH and the like stay.
            commit.withEnv(request.env().toArray(String[]::new));
        }
        baseImageCommand(request.containerId()).ifPresent(commit::withCmd);
        String imageId;
        try {
            imageId = commit.exec();
        } catch (BadRequestException e) {
            throw rejected("committing build " + request.buildId() + " into " + request.imageRef(), e);
        }
        return imageInfo(request.imageRef(), docker.inspectImageCmd(imageId).exec());
    }

    /**
     * Only containers that are build sandboxes: a container started from a committed template inherits the
     * template's {@code kiln.build} label too, and must survive its build's cleanup.
     */
    @Override
    public void destroyBuildSandbox(String buildId) {
        for (Container container : sandboxes(buildId)) {
            try {
                docker.removeContainerCmd(container.getId()).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException e) {
                // Removed concurrently, which is what was asked.
            }
        }
    }

    @Override
    public void removeImage(String imageRef) {
        try {
            docker.removeImageCmd(imageRef).withForce(true).exec();
        } catch (NotFoundException e) {
            // Already gone, which is what was asked.
        }
    }

    private List<Container> sandboxes(String buildId) {
        return docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(BUILD_LABEL, buildId, ROLE_LABEL, BUILD_ROLE))
                .exec();
    }

    private Optional<Container> findSandbox(String buildId) {
        return sandboxes(buildId).stream().findFirst();
    }

    /**
     * The name is taken, so a concurrent attempt is creating this sandbox. Docker reserves the name before the
     * container shows up in listings, hence the short wait. If it never shows up, the name belongs to something
     * else; the conflict is rethrown and the activity's retries take over.
     */
    private String awaitConcurrentSandbox(String buildId, ConflictException conflict) {
        long started = System.nanoTime();
        while (true) {
            Optional<Container> created = findSandbox(buildId);
            if (created.isPresent()) {
                return ensureRunning(created.get());
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

    /** A sandbox found stopped (the host restarted, say) is started again: its files are what matter. */
    private String ensureRunning(Container container) {
        if (!"running".equals(container.getState())) {
            start(container.getId());
        }
        return container.getId();
    }

    private void start(String containerId) {
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (NotModifiedException e) {
            // Already running: a concurrent attempt started it.
        } catch (BadRequestException e) {
            // Typically the image has no /bin/sh; the same container would fail the same way again.
            throw rejected("starting sandbox " + containerId, e);
        }
    }

    /**
     * The sandbox runs a keep-alive command instead of its image's, and docker commit would carry that command
     * into the template; the base image's command is restored instead. A base image without one leaves the
     * keep-alive command as the template's, which docker's commit API gives no way to clear.
     */
    private Optional<String[]> baseImageCommand(String containerId) {
        String baseImageId = docker.inspectContainerCmd(containerId).exec().getImageId();
        return inspectImage(baseImageId)
                .map(InspectImageResponse::getConfig)
                .map(ContainerConfig::getCmd)
                .filter(command -> command.length > 0);
    }

    private Optional<InspectImageResponse> inspectImage(String imageRef) {
        try {
            return Optional.of(docker.inspectImageCmd(imageRef).exec());
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> labels(InspectImageResponse image) {
        if (image.getConfig() == null || image.getConfig().getLabels() == null) {
            return Map.of();
        }
        return image.getConfig().getLabels();
    }

    private static ImageInfo imageInfo(String imageRef, InspectImageResponse image) {
        return new ImageInfo(imageRef, image.getId(), image.getSize() == null ? 0 : image.getSize());
    }

    private static ApplicationFailure rejected(String action, BadRequestException cause) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
                "docker rejected " + action + ": " + cause.getMessage(), FailureType.DOCKER_REJECTED.name(), cause);
    }
}
