package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.build.recipe.ExecutionContext;
import dev.kiln.workflows.host.ContainerLabels;
import dev.kiln.workflows.sandbox.BuildSandboxHostActivities;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.HealthProbe;
import dev.kiln.workflows.sandbox.HealthResult;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import dev.kiln.workflows.sandbox.StepProgress;
import dev.kiln.workflows.sandbox.UploadArchive;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Container;
import dev.kiln.workflows.build.BuildStep;
import dev.kiln.workflows.build.StepCacheKeys;
import dev.kiln.workflows.sandbox.ArchiveDigest;
import dev.kiln.workflows.sandbox.ResolveStepCache;
import dev.kiln.workflows.sandbox.StepCacheGcResult;
import dev.kiln.workflows.sandbox.StepCachePlan;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Build sandboxes on the local Docker engine. */
public final class BuildSandboxHostActivitiesImpl implements BuildSandboxHostActivities {
    private static final Logger LOG = LoggerFactory.getLogger(BuildSandboxHostActivitiesImpl.class);
    /** Exit statuses above this are deaths by signal (128 + the signal's number), as a dying container's execs get. */
    private static final int SIGNAL_EXIT_BASE = 128;
    /** How long a signalled step's container is watched for its own death: 2 s, in steps of 200 ms. */
    private static final int SETTLE_LOOKS = 10;
    private static final Duration SETTLE_INTERVAL = Duration.ofMillis(200);

    private static final Duration READ_ENVIRONMENT_TIMEOUT = Duration.ofSeconds(10);
    /** The reference's environment when the image has no {@code env} to ask. */
    private static final Map<String, String> FALLBACK_ENVIRONMENT = Map.of(
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME", "/root");
    private static final Duration PREPARE_BUILD_FILES_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CHMOD_BUILD_FILES_TIMEOUT = Duration.ofSeconds(120);
    private static final int DOWNLOAD_BUFFER_BYTES = 64 * 1024;
    /**
     * How long a step the engine broke off waits for the engine to answer again: a restart takes seconds, and the
     * wait must end well within the step's start-to-close, which leaves a minute over the step's own timeout.
     */
    private static final Duration ENGINE_RETURN_PATIENCE = Duration.ofSeconds(45);
    private static final Duration ENGINE_POLL = Duration.ofSeconds(1);
    /**
     * How long a step scheduled ahead waits for the step it follows to show up here. The workflow schedules both in
     * one workflow task and this host polls with several pollers, so seconds mean that step will not come.
     */
    private static final Duration PREDECESSOR_PATIENCE = Duration.ofSeconds(10);

    private final DockerClient docker;
    private final HostLabels labels;
    private final ArchiveSource archives;
    private final ContainerExec exec;
    private final StepRunner steps;
    private final HealthProber prober;
    private final Flattener flattener;
    private final SandboxContainers containers;
    private final SandboxImages images;
    private final StepCache cache;
    private final StepOrder order = new StepOrder();

    /** @param archives where {@link #uploadArchive} fetches a build's uploaded archive from */
    public BuildSandboxHostActivitiesImpl(DockerClient docker, HostLabels labels, ArchiveSource archives) {
        this(docker, labels, archives, StepCacheBounds.DEFAULT, Clock.systemUTC());
    }

    /**
     * @param cacheBounds what {@link #collectStepCache} keeps of the step cache
     * @param clock what the step cache's age bound is measured against
     */
    public BuildSandboxHostActivitiesImpl(
            DockerClient docker, HostLabels labels, ArchiveSource archives, StepCacheBounds cacheBounds, Clock clock) {
        this.docker = requireNonNull(docker, "docker is null");
        this.labels = requireNonNull(labels, "labels is null");
        this.archives = requireNonNull(archives, "archives is null");
        this.exec = new ContainerExec(docker);
        this.steps = new StepRunner(exec);
        this.prober = new HealthProber(exec);
        this.flattener = new Flattener(docker);
        this.containers = new SandboxContainers(docker);
        this.images = new SandboxImages(docker);
        this.cache = new StepCache(docker, labels, requireNonNull(cacheBounds, "cacheBounds is null"),
                requireNonNull(clock, "clock is null"));
    }

    /**
     * The name carries the host as well as the build: a build that lost its host reruns on another, and where both
     * hosts drive one engine the lost host's container (left running, its host gone) still holds the build's name.
     */
    @Override
    public String createBuildSandbox(CreateBuildSandbox request) {
        return createSandbox(request.buildId(), request.imageRef(), request.vcpus(), request.memoryMb(), null);
    }

    /** @param hostName null lets the engine name it after the container */
    private String createSandbox(String buildId, String imageRef, int vcpus, int memoryMb, String hostName) {
        Map<String, String> sandbox = labels.buildSandbox(buildId);
        CreateContainerCmd create = docker.createContainerCmd(imageRef)
                .withName(containerName(buildId))
                .withLabels(sandbox)
                .withCmd(SandboxContainers.KEEP_ALIVE)
                .withHostConfig(SandboxContainers.limits(vcpus, memoryMb));
        if (hostName != null) {
            create.withHostName(hostName);
        }
        return containers.createOnce(create, sandbox, imageRef, "build " + buildId);
    }

    private String containerName(String buildId) {
        return "kiln-build-" + buildId + "-" + labels.hostId();
    }

    @Override
    public StepContext readEnvironment(String containerId) {
        ExecResult result;
        try {
            result = exec.run(ExecRequest.asRoot(containerId, containerId + "/environment", "env",
                    READ_ENVIRONMENT_TIMEOUT), progress -> {});
        } catch (NotFoundException | ConflictException e) {
            throw sandboxFailure(containerId, e);
        }
        if (!result.ok()) {
            return new StepContext("", new TreeMap<>(FALLBACK_ENVIRONMENT), ExecutionContext.ROOT);
        }
        // The tail holds 8 KiB, far more than an image's environment, so no line is cut off at the front.
        Map<String, String> environment = new TreeMap<>();
        for (String line : result.stdoutTail().split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                environment.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return new StepContext("", environment, ExecutionContext.ROOT);
    }

    /**
     * The archive is fetched and checked on the host before the sandbox sees any of it, so that a refused
     * archive leaves nothing behind. Temp files live in {@code java.io.tmpdir} and are removed on every path.
     */
    @Override
    public ArchiveDigest uploadArchive(UploadArchive request) {
        return installArchive(request.buildId(), request.containerId(), request.copySources());
    }

    /** @param copySources null digests nothing */
    private ArchiveDigest installArchive(String buildId, String containerId, List<String> copySources) {
        UploadArchive request = new UploadArchive(buildId, containerId, copySources);
        ActivityExecutionContext activity = Activity.getExecutionContext();
        Path download = null;
        Path cleanTar = null;
        try {
            download = Files.createTempFile("kiln-archive-", ".upload");
            download(request.buildId(), download, new TransferMeter(activity::heartbeat));
            cleanTar = Files.createTempFile("kiln-archive-", ".tar");
            BuildArchive.clean(download, cleanTar, BuildArchive.MAX_UNPACKED_BYTES);
            ArchiveDigest digest = copySources == null ? null : ArchiveDigests.of(cleanTar, copySources);
            unpack(request, cleanTar, new TransferMeter(activity::heartbeat));
            return digest;
        } catch (IOException e) {
            throw new UncheckedIOException("uploading the archive of build " + request.buildId(), e);
        } catch (NotFoundException | ConflictException e) {
            throw sandboxFailure(request.containerId(), e);
        } finally {
            deleteQuietly(download);
            deleteQuietly(cleanTar);
        }
    }

    /**
     * A step scheduled ahead runs once the step it follows has succeeded here. Steps run one at a time in a sandbox,
     * so whatever ends this one (an outcome, an exception, a cancel) is recorded for the step after it.
     */
    @Override
    public StepOutcome runStep(RunStep request) {
        ActivityExecutionContext activity = Activity.getExecutionContext();
        if (request.afterStep() != null) {
            awaitTurn(request, activity);
        } else {
            order.started(request.buildId(), request.containerId(), request.step());
        }
        StepOutcome outcome = null;
        try {
            outcome = runStepNow(request, activity);
            return outcome;
        } finally {
            order.ended(request.buildId(), request.containerId(), request.step(), outcome != null && outcome.ok());
        }
    }

    private void awaitTurn(RunStep request, ActivityExecutionContext activity) {
        StepOrder.Turn turn;
        try {
            turn = order.await(request.buildId(), request.containerId(), request.step(), request.afterStep(),
                    PREDECESSOR_PATIENCE, () -> activity.heartbeat(null));
        } catch (InterruptedException e) {
            order.ended(request.buildId(), request.containerId(), request.step(), false);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while step " + request.step() + " waited for step "
                    + request.afterStep(), e);
        } catch (RuntimeException cancelledOrGone) {
            order.ended(request.buildId(), request.containerId(), request.step(), false);
            throw cancelledOrGone;
        }
        if (turn == StepOrder.Turn.RUN) {
            return;
        }
        order.ended(request.buildId(), request.containerId(), request.step(), false);
        throw ApplicationFailure.newNonRetryableFailure("step " + request.step() + " did not run: step "
                + request.afterStep() + " before it " + (turn == StepOrder.Turn.PREDECESSOR_FAILED
                        ? "did not succeed on this host" : "is not running on this host (did kiln-host restart?)"),
                FailureType.STEP_OUT_OF_TURN.name());
    }

    private StepOutcome runStepNow(RunStep request, ActivityExecutionContext activity) {
        Instant started = Instant.now();
        try {
            if (activity.getInfo().getAttempt() > 1) {
                // The attempt before may have lost its worker while the step kept running in the sandbox; two
                // copies of a step at once (two package managers, say) would fight over the same files.
                exec.kill(request.containerId(), StepRunner.execName(request));
            }
            StepOutcome outcome = steps.run(request, activity::heartbeat);
            if (!outcome.ok()) {
                requireSandboxSurvived(request, started, outcome);
            } else if (request.cacheKey() != null
                    && StepCacheKeys.changesFiles(request.instruction(), request.arguments())) {
                commitToCache(request, activity);
            }
            return outcome;
        } catch (NotFoundException | ConflictException e) {
            throw sandboxFailure(request.containerId(), e);
        } catch (RuntimeException e) {
            if (!engineBrokeOff(e)) {
                throw e;
            }
            throw afterEngineBrokeOff(request, started, e, activity);
        }
    }

    /**
     * The engine's socket went away or the exec's stream broke, as when dockerd stops: docker-java reports a
     * connection that failed as a plain RuntimeException over the IOException, never as a DockerException. An
     * interrupted call is the worker stopping, not the engine.
     */
    private static boolean engineBrokeOff(RuntimeException failure) {
        if (failure instanceof DockerException || failure instanceof ApplicationFailure) {
            return false;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedIOException || cause instanceof ClosedByInterruptException) {
                return false;
            }
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A step the engine broke off is no result of the step's own, so it is not reported as one. An engine that
     * restarts kills every container: once it answers again, a sandbox that died with it is {@code SANDBOX_GONE},
     * and the build reruns. A sandbox that kept running has lost the step's output and exit code, and an engine that
     * does not come back within {@link #ENGINE_RETURN_PATIENCE} cannot run the build; either fails the step with a
     * message that says so. The wait heartbeats, so the workflow does not take the host for lost meanwhile.
     */
    private RuntimeException afterEngineBrokeOff(
            RunStep request, Instant stepStarted, RuntimeException broken, ActivityExecutionContext activity) {
        String cause = broken.getMessage();
        long waitStarted = System.nanoTime();
        while (!engineAnswers()) {
            if (System.nanoTime() - waitStarted > ENGINE_RETURN_PATIENCE.toNanos()) {
                return new IllegalStateException("the Docker engine broke off step " + request.step() + " (" + cause
                        + ") and did not answer again within " + ENGINE_RETURN_PATIENCE, broken);
            }
            activity.heartbeat(new StepProgress(Duration.between(stepStarted, Instant.now()).toMillis(), 0));
            if (!pause(ENGINE_POLL)) {
                return new IllegalStateException("interrupted while waiting for the Docker engine to answer again",
                        broken);
            }
        }
        InspectContainerResponse.ContainerState state;
        try {
            state = docker.inspectContainerCmd(request.containerId()).exec().getState();
        } catch (NotFoundException gone) {
            return Failures.sandboxDied(request.containerId(), request.step(),
                    "the Docker engine broke off the step (" + cause + ") and its container is gone", broken);
        }
        Instant containerStarted = parse(state.getStartedAt());
        if (!Boolean.TRUE.equals(state.getRunning())
                || containerStarted != null && containerStarted.isAfter(stepStarted)) {
            return Failures.sandboxDied(request.containerId(), request.step(), "the Docker engine restarted ("
                    + cause + ") and its container " + (Boolean.TRUE.equals(state.getRunning())
                            ? "was started again" : "stopped (exit " + state.getExitCodeLong() + ")"), broken);
        }
        try {
            exec.kill(request.containerId(), StepRunner.execName(request));
        } catch (RuntimeException e) {
            broken.addSuppressed(e);
        }
        return new IllegalStateException("lost the Docker engine's connection during step " + request.step() + " ("
                + cause + ") while its sandbox kept running, so the step's outcome is unknown", broken);
    }

    private boolean engineAnswers() {
        try {
            docker.pingCmd().exec();
            return true;
        } catch (RuntimeException away) {
            return false;
        }
    }

    /**
     * Only here, after the step succeeded, does anything enter the cache: a failed, killed or timed-out step never
     * does. The step is done whether or not its image is kept, so a commit that fails costs the next build that step
     * and nothing more; the sandbox being gone still fails the step as the sandbox's death. The commit heartbeats
     * from a thread of its own, since a large layer takes longer than the step's heartbeat timeout.
     */
    private void commitToCache(RunStep request, ActivityExecutionContext activity) {
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "step-cache-heartbeat-" + request.buildId());
            thread.setDaemon(true);
            return thread;
        });
        heartbeats.scheduleAtFixedRate(() -> {
            try {
                activity.heartbeat(null);
            } catch (RuntimeException cancelled) {
                // A cancel after the step succeeded: the commit is of a finished step, so it may complete.
            }
        }, 1, 1, TimeUnit.SECONDS);
        try {
            cache.commit(request.containerId(), request.cacheKey());
        } catch (NotFoundException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("step {} of build {} succeeded but could not enter the step cache", request.step(),
                    request.buildId(), e);
        } finally {
            heartbeats.shutdownNow();
        }
    }

    @Override
    public StepCachePlan resolveStepCache(ResolveStepCache request) {
        String baseImageId;
        try {
            baseImageId = docker.inspectImageCmd(request.baseImageRef()).exec().getId();
        } catch (NotFoundException e) {
            throw Failures.imageNotFound(request.baseImageRef(), e);
        }
        List<String> keys = StepCacheKeys.keys(baseImageId, request.steps(), request.contexts(), request.archive());
        StepCacheKeys.CachedPrefix cached = request.lookup()
                ? StepCacheKeys.cachedPrefix(request.steps(), keys, key -> cache.find(key).isPresent())
                : new StepCacheKeys.CachedPrefix(0, null);
        if (cached.imageKey() == null) {
            return new StepCachePlan(request.containerId(), keys, cached.steps());
        }
        // Found a moment ago; a collection removing it since fails the create, and the activity's retry starts over.
        String image = cache.find(cached.imageKey()).orElseThrow(() -> new IllegalStateException(
                "step cache image " + cached.imageKey() + " was removed while the build looked it up"));
        int cachedSteps = cached.steps();
        boolean cachedReadsArchive = request.steps().subList(0, cachedSteps).stream()
                .anyMatch(StepCacheKeys::readsWholeArchive);
        String containerId = restartFrom(request, image);
        if (request.archive() != null && !cachedReadsArchive) {
            // The cached image holds the archive of the build that made it, which may differ from this one in
            // entries no cached step read; a cached step that read the whole archive was keyed on this very one.
            installArchive(request.buildId(), containerId, null);
        }
        return new StepCachePlan(containerId, keys, cachedSteps);
    }

    /**
     * Replaces the build sandbox with one started from {@code image}, under the same name, labels, limits and host
     * name (the steps' contexts carry the first sandbox's HOSTNAME). A retry finds the replacement and keeps it.
     */
    private String restartFrom(ResolveStepCache request, String image) {
        Map<String, String> sandbox = labels.buildSandbox(request.buildId());
        Optional<Container> current = containers.find(sandbox);
        if (current.isPresent() && image.equals(current.get().getImageId())) {
            return createSandbox(request.buildId(), image, request.vcpus(), request.memoryMb(), null);
        }
        containers.removeAll(sandbox);
        String hostName = request.contexts().isEmpty() ? null : request.contexts().get(0).env().get("HOSTNAME");
        return createSandbox(request.buildId(), image, request.vcpus(), request.memoryMb(), hostName);
    }

    @Override
    public StepCacheGcResult collectStepCache() {
        StepCacheGcResult result = cache.collect();
        LOG.info("step cache collected: {} images removed ({} bytes), {} kept ({} bytes)", result.imagesRemoved(),
                result.bytesRemoved(), result.imagesKept(), result.bytesKept());
        return result;
    }

    /**
     * A step that failed because its sandbox died under it (the engine restarted and killed every container: exit
     * 137; an OOM kill of the whole container) did not fail on its own account: the build can rerun. That is when
     * the container no longer runs, or was started again after the step began. The engine records the container's
     * death a moment after the death of the execs in it, so a step killed by a signal (exit above 128) looks again
     * for a short while before its failure is taken as its own.
     */
    private void requireSandboxSurvived(RunStep request, Instant stepStarted, StepOutcome outcome) {
        int looks = outcome.exitCode() > SIGNAL_EXIT_BASE ? SETTLE_LOOKS : 1;
        for (int look = 0; look < looks; look++) {
            if (look > 0 && !pause(SETTLE_INTERVAL)) {
                return;
            }
            InspectContainerResponse.ContainerState state;
            try {
                state = docker.inspectContainerCmd(request.containerId()).exec().getState();
            } catch (NotFoundException gone) {
                throw Failures.sandboxDied(request.containerId(), request.step(), "its container is gone", gone);
            }
            if (!Boolean.TRUE.equals(state.getRunning())) {
                throw Failures.sandboxDied(request.containerId(), request.step(), "its container stopped ("
                        + (Boolean.TRUE.equals(state.getOOMKilled()) ? "killed for memory" : "exit code "
                        + state.getExitCodeLong()) + "; did the Docker engine restart?) and the step exited "
                        + outcome.exitCode(), null);
            }
            Instant containerStarted = parse(state.getStartedAt());
            if (containerStarted != null && containerStarted.isAfter(stepStarted)) {
                throw Failures.sandboxDied(request.containerId(), request.step(),
                        "the Docker engine restarted its container at " + containerStarted + " and the step exited "
                                + outcome.exitCode(), null);
            }
        }
    }

    /** False when the activity's thread was interrupted (it is being cancelled): stop looking. */
    private static boolean pause(Duration interval) {
        try {
            Thread.sleep(interval.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Instant parse(String dockerTime) {
        try {
            return dockerTime == null ? null : Instant.parse(dockerTime);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public HealthResult probeHealth(HealthProbe request) {
        ActivityExecutionContext activity = Activity.getExecutionContext();
        try {
            return prober.probe(request, activity::heartbeat);
        } catch (NotFoundException | ConflictException e) {
            throw sandboxFailure(request.containerId(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing build " + request.buildId(), e);
        }
    }

    /**
     * The id the build's base image has here, which its template version records as its lineage. Read when the image
     * is made rather than when the sandbox was created, which would need another activity result in the histories.
     */
    private String baseImageId(CommitSandbox request) {
        return request.baseImageRef() == null
                ? null
                : images.inspect(request.baseImageRef()).map(InspectImageResponse::getId).orElse(null);
    }

    @Override
    public ImageInfo commitSandbox(CommitSandbox request) {
        Optional<InspectImageResponse> existing = imageOfBuild(request.imageRef(), request.buildId());
        if (existing.isPresent()) {
            // An earlier attempt committed and its response was lost; committing again would leave its image
            // dangling and report a different id.
            return SandboxImages.imageInfo(request.imageRef(), existing.get(), baseImageId(request));
        }
        String imageId;
        try {
            imageId = images.commit(request.containerId(), request.imageRef(), new SandboxImages.CommitDefaults(
                    request.user(), request.workdir(), request.env(), templateLabels(request), true));
        } catch (BadRequestException e) {
            throw Failures.rejected("committing build " + request.buildId() + " into " + request.imageRef(), e);
        } catch (NotFoundException e) {
            throw sandboxFailure(request.containerId(), e);
        }
        return SandboxImages.imageInfo(request.imageRef(), docker.inspectImageCmd(imageId).exec(), baseImageId(request));
    }

    @Override
    public ImageInfo flattenSandbox(CommitSandbox request) {
        Optional<InspectImageResponse> existing = imageOfBuild(request.imageRef(), request.buildId());
        if (existing.isPresent()) {
            // As for commit: an earlier attempt loaded the image and its response was lost.
            return SandboxImages.imageInfo(request.imageRef(), existing.get(), baseImageId(request));
        }
        ActivityExecutionContext activity = Activity.getExecutionContext();
        Flattener.ImageDefaults defaults = new Flattener.ImageDefaults(
                request.user(), request.workdir(), request.env(), templateLabels(request));
        try {
            flattener.flatten("build " + request.buildId(), request.containerId(),
                    request.imageRef(), defaults, new TransferMeter(activity::heartbeat));
        } catch (IOException e) {
            throw new UncheckedIOException("flattening build " + request.buildId() + " into " + request.imageRef(), e);
        } catch (NotFoundException e) {
            throw sandboxFailure(request.containerId(), e);
        }
        return imageOfBuild(request.imageRef(), request.buildId())
                .map(image -> SandboxImages.imageInfo(request.imageRef(), image, baseImageId(request)))
                .orElseThrow(() -> new IllegalStateException(
                        "docker import reported no error but " + request.imageRef() + " is not the image of build "
                                + request.buildId()));
    }

    /**
     * Only containers that are build sandboxes: a container started from a committed template inherits the
     * template's {@code kiln.build} label too, and must survive its build's cleanup.
     */
    @Override
    public void destroyBuildSandbox(String buildId) {
        containers.removeAll(labels.buildSandbox(buildId));
        order.forget(buildId);
    }

    @Override
    public void removeImage(String imageRef) {
        images.removeQuietly(imageRef);
    }

    private void download(String buildId, Path target, TransferMeter meter) throws IOException {
        try (InputStream in = archives.open(buildId); OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[DOWNLOAD_BUFFER_BYTES];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                meter.add(read);
            }
        }
    }

    /** The directory is made afresh, so that a retry leaves nothing of an earlier attempt's files behind. */
    private void unpack(UploadArchive request, Path cleanTar, TransferMeter meter) throws IOException {
        String name = request.buildId() + "/archive";
        String directory = StepRunner.BUILD_FILES;
        String prepare = "rm -rf " + directory + " && mkdir -p " + directory;
        requireOk(exec.run(ExecRequest.asRoot(request.containerId(), name, prepare, PREPARE_BUILD_FILES_TIMEOUT),
                progress -> meter.add(0)), "preparing " + directory);
        try (InputStream tar = meter.counting(Files.newInputStream(cleanTar))) {
            docker.copyArchiveToContainerCmd(request.containerId())
                    .withRemotePath(directory)
                    .withTarInputStream(tar)
                    .exec();
        } catch (RuntimeException e) {
            meter.rethrowHeartbeatFailure();
            throw e;
        }
        meter.rethrowHeartbeatFailure();
        // Readable by the build user whatever modes the archive had; COPY runs as root, but RUN may read it too.
        requireOk(exec.run(ExecRequest.asRoot(request.containerId(), name, "chmod -R a+rX " + directory,
                CHMOD_BUILD_FILES_TIMEOUT), progress -> meter.add(0)), "making " + directory + " readable");
    }

    private static void requireOk(ExecResult result, String action) {
        if (!result.ok()) {
            throw new IllegalStateException(action + " failed with exit code " + result.exitCode() + ": "
                    + result.stderrTail().strip());
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A temp file left behind costs disk only; it must not replace the activity's own outcome.
        }
    }

    /**
     * A missing container, or one that is no longer running (its engine restarted), cannot carry on the build:
     * what earlier steps started is gone. Any other conflict is the engine's and is rethrown for a retry.
     */
    private RuntimeException sandboxFailure(String containerId, DockerException failure) {
        if (failure instanceof NotFoundException) {
            return Failures.sandboxGone(containerId, failure);
        }
        try {
            InspectContainerResponse container = docker.inspectContainerCmd(containerId).exec();
            if (!Boolean.TRUE.equals(container.getState().getRunning())) {
                return Failures.sandboxGone(containerId, failure);
            }
        } catch (NotFoundException e) {
            return Failures.sandboxGone(containerId, failure);
        }
        return failure;
    }

    private Optional<InspectImageResponse> imageOfBuild(String imageRef, String buildId) {
        return images.labelledWith(imageRef, ContainerLabels.BUILD, buildId);
    }

    private static Map<String, String> templateLabels(CommitSandbox request) {
        Map<String, String> labels = new HashMap<>(request.labels() == null ? Map.of() : request.labels());
        labels.put(ContainerLabels.BUILD, request.buildId());
        labels.put(ContainerLabels.ROLE, ContainerLabels.ROLE_TEMPLATE);
        return labels;
    }
}
