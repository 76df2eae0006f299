package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import dev.kiln.activities.sampler.SandboxSampler;
import dev.kiln.workflows.host.ContainerLabels;
import dev.kiln.workflows.host.DockerState;
import dev.kiln.workflows.sandbox.CreateSandbox;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.SandboxExec;
import dev.kiln.workflows.sandbox.SandboxExecResult;
import dev.kiln.workflows.sandbox.SandboxHostActivities;
import dev.kiln.workflows.sandbox.SandboxMetrics;
import dev.kiln.workflows.sandbox.SnapshotSandbox;
import dev.kiln.workflows.sandbox.StepProgress;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * User sandboxes on the local Docker engine. A sandbox is the container labelled {@code kiln.sandbox=<id>} and
 * {@code kiln.role=sandbox}: a snapshot image inherits the first label, so the role tells the sandbox apart from
 * a container someone started from its snapshot.
 */
public final class SandboxHostActivitiesImpl implements SandboxHostActivities {

    /** Per stream: enough for a command's useful end, small enough that a few results fit in a workflow history. */
    static final int OUTPUT_CAP_BYTES = 64 * 1024;
    /** What {@code timeout(1)} exits with, for a command killed at its timeout. */
    static final int TIMEOUT_EXIT_CODE = 124;

    private static final long HEARTBEAT_SECONDS = 1;

    private final DockerClient docker;
    private final HostLabels hostLabels;
    private final SandboxSampler sampler;
    private final ContainerExec exec;
    private final SandboxContainers containers;
    private final SandboxImages images;
    private final Flattener flattener;

    public SandboxHostActivitiesImpl(DockerClient docker, HostLabels hostLabels, SandboxSampler sampler) {
        this.docker = requireNonNull(docker, "docker is null");
        this.hostLabels = requireNonNull(hostLabels, "hostLabels is null");
        this.sampler = requireNonNull(sampler, "sampler is null");
        this.exec = new ContainerExec(docker, OUTPUT_CAP_BYTES);
        this.containers = new SandboxContainers(docker);
        this.images = new SandboxImages(docker);
        this.flattener = new Flattener(docker);
    }

    /**
     * The template's user, workdir and env become the container's, which docker exec and commit then apply by
     * default; the keep-alive command replaces the image's, which may be a shell that exits at once.
     */
    @Override
    public String createSandbox(CreateSandbox request) {
        Map<String, String> labels = hostLabels.sandbox(request.sandboxId());
        CreateContainerCmd create = docker.createContainerCmd(request.imageRef())
                .withName("kiln-sandbox-" + request.sandboxId())
                .withLabels(labels)
                .withCmd(SandboxContainers.KEEP_ALIVE)
                .withHostConfig(SandboxContainers.limits(request.vcpus(), request.memoryMb()));
        if (request.user() != null && !request.user().isBlank()) {
            create.withUser(request.user());
        }
        if (request.workdir() != null && !request.workdir().isBlank()) {
            create.withWorkingDir(request.workdir());
        }
        if (request.env() != null && !request.env().isEmpty()) {
            create.withEnv(env(request.env()));
        }
        String containerId =
                containers.createOnce(create, labels, request.imageRef(), "sandbox " + request.sandboxId());
        sampler.watch(request.sandboxId());
        return containerId;
    }

    /**
     * Named after the workflow and activity, so that a retried attempt (should the workflow allow one) first kills
     * what the attempt before it left running, as build steps do.
     */
    @Override
    public SandboxExecResult exec(SandboxExec request) {
        ActivityExecutionContext activity = Activity.getExecutionContext();
        Container container = runningSandbox(request.sandboxId());
        String name = execName(request.sandboxId(), activity.getInfo());
        ExecResult result;
        try {
            if (activity.getInfo().getAttempt() > 1) {
                exec.kill(container.getId(), name);
            }
            result = exec.run(new ExecRequest(container.getId(), name, request.command(), blankToNull(request.user()),
                    Duration.ofSeconds(Math.max(0, request.timeoutSeconds())), env(request.env()),
                    blankToNull(request.workdir())), activity::heartbeat);
        } catch (NotFoundException | ConflictException e) {
            throw sandboxFailure(request.sandboxId(), container.getId(), e);
        }
        // ContainerExec does not wait for the killed wrapper's status; 124 is what timeout(1) would report.
        int exitCode = result.timedOut() && result.exitCode() < 0 ? TIMEOUT_EXIT_CODE : result.exitCode();
        boolean truncated = result.stdoutBytes() > OUTPUT_CAP_BYTES || result.stderrBytes() > OUTPUT_CAP_BYTES;
        return new SandboxExecResult(exitCode, result.stdoutTail(), result.stderrTail(), result.timedOut(), truncated);
    }

    @Override
    public SandboxMetrics pause(String sandboxId) {
        Container container = sandbox(sandboxId);
        freeze(sandboxId, container);
        return sampler.suspend(sandboxId);
    }

    @Override
    public void resume(String sandboxId) {
        Container container = sandbox(sandboxId);
        if (DockerState.PAUSED.is(container.getState())) {
            try {
                docker.unpauseContainerCmd(container.getId()).exec();
            } catch (NotFoundException e) {
                throw Failures.sandboxGone(sandboxId, "gone", e);
            } catch (ConflictException | NotModifiedException e) {
                // A concurrent resume thawed it first, or it stopped meanwhile: which, the inspection says.
                requireState(sandboxId, container.getId(), DockerState.RUNNING, e);
            }
        } else if (!DockerState.RUNNING.is(container.getState())) {
            throw Failures.sandboxGone(sandboxId, container.getState(), null);
        }
        sampler.resume(sandboxId);
    }

    @Override
    public void destroy(String sandboxId) {
        containers.removeAll(hostLabels.sandbox(sandboxId));
        sampler.forget(sandboxId);
    }

    @Override
    public SandboxMetrics metrics(String sandboxId) {
        return sampler.metrics(sandboxId);
    }

    /**
     * A retry after a lost response finds the image it made by its labels and returns it; any other failure
     * removes what it may have left at {@code imageRef}, which is then always this sandbox's own (an image of
     * this sandbox there at the start is returned as done).
     */
    @Override
    public ImageInfo snapshot(SnapshotSandbox request) {
        String sandboxId = request.sandboxId();
        Optional<InspectImageResponse> existing = snapshotImage(request.imageRef(), sandboxId);
        if (existing.isPresent()) {
            String sandboxImageId = containers.find(hostLabels.sandbox(sandboxId)).map(Container::getImageId).orElse(null);
            return SandboxImages.imageInfo(request.imageRef(), existing.get(), sandboxImageId);
        }
        ActivityExecutionContext activity = Activity.getExecutionContext();
        Container container = sandbox(sandboxId);
        // No sync first: see Flattener#flatten.
        freeze(sandboxId, container);
        sampler.suspend(sandboxId);
        Map<String, String> labels = snapshotLabels(request);
        try {
            if (request.flatten()) {
                Flattener.ImageDefaults defaults = new Flattener.ImageDefaults(
                        request.user(), request.workdir(), env(request.env()), labels);
                flattener.flatten("sandbox " + sandboxId, container.getId(),
                        request.imageRef(), defaults, new TransferMeter(activity::heartbeat));
            } else {
                // Already paused, so docker need not pause it again (and would unpause it afterwards).
                SandboxImages.CommitDefaults defaults = new SandboxImages.CommitDefaults(
                        request.user(), request.workdir(), env(request.env()), labels, false);
                commitHeartbeating(container.getId(), request.imageRef(), defaults, activity);
            }
        } catch (IOException e) {
            removePartialImage(request.imageRef(), sandboxId, e);
            throw new UncheckedIOException("snapshotting sandbox " + sandboxId + " into " + request.imageRef(), e);
        } catch (NotFoundException e) {
            removePartialImage(request.imageRef(), sandboxId, e);
            throw Failures.sandboxGone(sandboxId, "gone", e);
        } catch (BadRequestException e) {
            removePartialImage(request.imageRef(), sandboxId, e);
            throw Failures.rejected("snapshotting sandbox " + sandboxId + " into " + request.imageRef(), e);
        } catch (RuntimeException e) {
            removePartialImage(request.imageRef(), sandboxId, e);
            throw e;
        }
        return snapshotImage(request.imageRef(), sandboxId)
                .map(image -> SandboxImages.imageInfo(request.imageRef(), image, container.getImageId()))
                .orElseThrow(() -> new IllegalStateException(
                        "docker reported no error but " + request.imageRef() + " is not a snapshot of sandbox "
                                + sandboxId));
    }

    /**
     * Docker answers a commit only when it is done, which for gigabytes takes minutes; it runs on a thread of its
     * own while this one heartbeats. If the heartbeat reports a cancel, the commit cannot be stopped: its image is
     * removed once it finishes.
     */
    private void commitHeartbeating(
            String containerId, String imageRef, SandboxImages.CommitDefaults defaults,
            ActivityExecutionContext activity) {
        FutureTask<String> commit = new FutureTask<>(() -> images.commit(containerId, imageRef, defaults));
        Thread thread = new Thread(commit, "kiln-commit-" + containerId);
        thread.setDaemon(true);
        thread.start();
        long started = System.nanoTime();
        try {
            while (true) {
                try {
                    commit.get(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
                    return;
                } catch (TimeoutException e) {
                    activity.heartbeat(new StepProgress(
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), 0));
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException("committing " + containerId + " into " + imageRef, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            removeWhenDone(commit, imageRef);
            throw new IllegalStateException("interrupted while committing " + containerId, e);
        } catch (RuntimeException e) {
            removeWhenDone(commit, imageRef);
            throw e;
        }
    }

    private void removeWhenDone(FutureTask<String> commit, String imageRef) {
        Thread cleanup = new Thread(() -> {
            try {
                commit.get();
                images.removeQuietly(imageRef);
            } catch (ExecutionException | InterruptedException | RuntimeException e) {
                // The commit failed, so it left no image; or the engine is gone and cleanup cannot help.
            }
        }, "kiln-commit-cleanup");
        cleanup.setDaemon(true);
        cleanup.start();
    }

    /** Pauses the container unless it is already; a stopped or missing one is gone. */
    private void freeze(String sandboxId, Container container) {
        if (DockerState.PAUSED.is(container.getState())) {
            return;
        }
        if (!DockerState.RUNNING.is(container.getState())) {
            throw Failures.sandboxGone(sandboxId, container.getState(), null);
        }
        try {
            docker.pauseContainerCmd(container.getId()).exec();
        } catch (NotFoundException e) {
            throw Failures.sandboxGone(sandboxId, "gone", e);
        } catch (ConflictException e) {
            // Paused concurrently (another attempt, or the host cut off from kiln-api), or stopped meanwhile.
            requireState(sandboxId, container.getId(), DockerState.PAUSED, e);
        }
    }

    private void requireState(String sandboxId, String containerId, DockerState wanted, DockerException failure) {
        String state = state(containerId);
        if (!wanted.is(state)) {
            throw Failures.sandboxGone(sandboxId, state, failure);
        }
    }

    /** Docker's state word for the container (running, paused, exited, ...), or "gone". */
    private String state(String containerId) {
        try {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(containerId).exec().getState();
            if (Boolean.TRUE.equals(state.getPaused())) {
                return DockerState.PAUSED.spelling();
            }
            return Boolean.TRUE.equals(state.getRunning()) ? DockerState.RUNNING.spelling()
                    : String.valueOf(state.getStatus());
        } catch (NotFoundException e) {
            return "gone";
        }
    }

    private Container sandbox(String sandboxId) {
        return containers.find(hostLabels.sandbox(sandboxId))
                .orElseThrow(() -> Failures.sandboxGone(sandboxId, "gone", null));
    }

    private Container runningSandbox(String sandboxId) {
        Container container = sandbox(sandboxId);
        if (DockerState.PAUSED.is(container.getState())) {
            throw Failures.sandboxPaused(sandboxId, null);
        }
        if (!DockerState.RUNNING.is(container.getState())) {
            throw Failures.sandboxGone(sandboxId, container.getState(), null);
        }
        return container;
    }

    /** Docker refuses an exec in a paused or stopped container with a conflict; the inspection says which. */
    private RuntimeException sandboxFailure(String sandboxId, String containerId, DockerException failure) {
        if (failure instanceof NotFoundException) {
            return Failures.sandboxGone(sandboxId, "gone", failure);
        }
        String state = state(containerId);
        if (DockerState.PAUSED.is(state)) {
            return Failures.sandboxPaused(sandboxId, failure);
        }
        if (!DockerState.RUNNING.is(state)) {
            return Failures.sandboxGone(sandboxId, state, failure);
        }
        return failure;
    }

    private Optional<InspectImageResponse> snapshotImage(String imageRef, String sandboxId) {
        return images.labelledWith(imageRef, ContainerLabels.SANDBOX, sandboxId).filter(image ->
                ContainerLabels.ROLE_SNAPSHOT.equals(SandboxImages.labels(image).get(ContainerLabels.ROLE)));
    }

    private void removePartialImage(String imageRef, String sandboxId, Exception failure) {
        try {
            if (snapshotImage(imageRef, sandboxId).isPresent()) {
                images.removeQuietly(imageRef);
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static Map<String, String> snapshotLabels(SnapshotSandbox request) {
        Map<String, String> labels = new HashMap<>(request.labels() == null ? Map.of() : request.labels());
        labels.put(ContainerLabels.SANDBOX, request.sandboxId());
        // Overrides the role the image inherits from its sandbox, as a template's does for build sandboxes.
        labels.put(ContainerLabels.ROLE, ContainerLabels.ROLE_SNAPSHOT);
        return labels;
    }

    /** KEY=value entries, in the map's order. */
    private static List<String> env(Map<String, String> env) {
        List<String> entries = new ArrayList<>();
        if (env != null) {
            env.forEach((key, value) -> entries.add(key + "=" + (value == null ? "" : value)));
        }
        return entries;
    }

    /**
     * The kill script matches the marker as a whole argument between spaces, so the name may hold no whitespace;
     * anything outside a conservative set becomes '_'.
     */
    static String execName(String sandboxId, ActivityInfo info) {
        String name = "sandbox/" + sandboxId + "/" + info.getWorkflowId() + "/" + info.getActivityId();
        return name.replaceAll("[^A-Za-z0-9._:/-]", "_");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
