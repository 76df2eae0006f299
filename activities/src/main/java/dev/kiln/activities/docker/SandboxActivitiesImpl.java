package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CommitCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.HostConfig;
import dev.kiln.activities.recipe.ExecutionContext;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.sandbox.CommitSandbox;
import dev.kiln.workflows.sandbox.CreateBuildSandbox;
import dev.kiln.workflows.sandbox.HealthProbe;
import dev.kiln.workflows.sandbox.HealthResult;
import dev.kiln.workflows.sandbox.ImageInfo;
import dev.kiln.workflows.sandbox.RunStep;
import dev.kiln.workflows.sandbox.SandboxActivities;
import dev.kiln.workflows.sandbox.StepContext;
import dev.kiln.workflows.sandbox.StepOutcome;
import dev.kiln.workflows.sandbox.UploadArchive;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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

    private static final Duration READ_ENVIRONMENT_TIMEOUT = Duration.ofSeconds(10);
    /** The reference's environment when the image has no {@code env} to ask. */
    private static final Map<String, String> FALLBACK_ENVIRONMENT = Map.of(
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME", "/root");
    private static final Duration PREPARE_BUILD_FILES_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CHMOD_BUILD_FILES_TIMEOUT = Duration.ofSeconds(120);
    private static final int DOWNLOAD_BUFFER_BYTES = 64 * 1024;

    private final DockerClient docker;
    private final ArchiveSource archives;
    private final ContainerExec exec;
    private final StepRunner steps;
    private final HealthProber prober;
    private final Flattener flattener;

    /** @param archives where {@link #uploadArchive} fetches a build's uploaded archive from */
    public SandboxActivitiesImpl(DockerClient docker, ArchiveSource archives) {
        this.docker = requireNonNull(docker, "docker is null");
        this.archives = requireNonNull(archives, "archives is null");
        this.exec = new ContainerExec(docker);
        this.steps = new StepRunner(exec);
        this.prober = new HealthProber(exec);
        this.flattener = new Flattener(docker, exec);
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
            throw Failures.rejected("creating the sandbox for build " + request.buildId(), e);
        }
        start(containerId);
        return containerId;
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
    public void uploadArchive(UploadArchive request) {
        ActivityExecutionContext activity = Activity.getExecutionContext();
        Path download = null;
        Path cleanTar = null;
        try {
            download = Files.createTempFile("kiln-archive-", ".upload");
            download(request.buildId(), download, new TransferMeter(activity::heartbeat));
            cleanTar = Files.createTempFile("kiln-archive-", ".tar");
            BuildArchive.clean(download, cleanTar, BuildArchive.MAX_UNPACKED_BYTES);
            unpack(request, cleanTar, new TransferMeter(activity::heartbeat));
        } catch (IOException e) {
            throw new UncheckedIOException("uploading the archive of build " + request.buildId(), e);
        } catch (NotFoundException | ConflictException e) {
            throw sandboxFailure(request.containerId(), e);
        } finally {
            deleteQuietly(download);
            deleteQuietly(cleanTar);
        }
    }

    @Override
    public StepOutcome runStep(RunStep request) {
        ActivityExecutionContext activity = Activity.getExecutionContext();
        try {
            if (activity.getInfo().getAttempt() > 1) {
                // The attempt before may have lost its worker while the step kept running in the sandbox; two
                // copies of a step at once (two package managers, say) would fight over the same files.
                exec.kill(request.containerId(), StepRunner.execName(request));
            }
            return steps.run(request, activity::heartbeat);
        } catch (NotFoundException | ConflictException e) {
            throw sandboxFailure(request.containerId(), e);
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

    @Override
    public ImageInfo commitSandbox(CommitSandbox request) {
        Optional<InspectImageResponse> existing = imageOfBuild(request.imageRef(), request.buildId());
        if (existing.isPresent()) {
            // An earlier attempt committed and its response was lost; committing again would leave its image
            // dangling and report a different id.
            return imageInfo(request.imageRef(), existing.get());
        }
        ImageName name = ImageName.parse(request.imageRef());
        CommitCmd commit = docker.commitCmd(request.containerId())
                .withRepository(name.repository())
                .withTag(name.tag())
                .withLabels(templateLabels(request));
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
        String imageId;
        try {
            baseImageCommand(request.containerId()).ifPresent(commit::withCmd);
            imageId = commit.exec();
        } catch (BadRequestException e) {
            throw Failures.rejected("committing build " + request.buildId() + " into " + request.imageRef(), e);
        } catch (NotFoundException e) {
            throw sandboxFailure(request.containerId(), e);
        }
        return imageInfo(request.imageRef(), docker.inspectImageCmd(imageId).exec());
    }

    @Override
    public ImageInfo flattenSandbox(CommitSandbox request) {
        Optional<InspectImageResponse> existing = imageOfBuild(request.imageRef(), request.buildId());
        if (existing.isPresent()) {
            // As for commit: an earlier attempt loaded the image and its response was lost.
            return imageInfo(request.imageRef(), existing.get());
        }
        ActivityExecutionContext activity = Activity.getExecutionContext();
        Flattener.ImageDefaults defaults = new Flattener.ImageDefaults(
                request.user(), request.workdir(), request.env(), templateLabels(request));
        try {
            flattener.flatten(request.buildId(), request.containerId(), request.imageRef(), defaults,
                    new TransferMeter(activity::heartbeat));
        } catch (IOException e) {
            throw new UncheckedIOException("flattening build " + request.buildId() + " into " + request.imageRef(), e);
        } catch (NotFoundException e) {
            throw sandboxFailure(request.containerId(), e);
        }
        return imageOfBuild(request.imageRef(), request.buildId())
                .map(image -> imageInfo(request.imageRef(), image))
                .orElseThrow(() -> new IllegalStateException(
                        "docker load reported no error but " + request.imageRef() + " is not the image of build "
                                + request.buildId()));
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
            throw Failures.rejected("starting sandbox " + containerId, e);
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
        return inspectImage(imageRef).filter(image -> buildId.equals(labels(image).get(BUILD_LABEL)));
    }

    private static Map<String, String> templateLabels(CommitSandbox request) {
        Map<String, String> labels = new HashMap<>(request.labels() == null ? Map.of() : request.labels());
        labels.put(BUILD_LABEL, request.buildId());
        labels.put(ROLE_LABEL, TEMPLATE_ROLE);
        return labels;
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
        int layers = image.getRootFS() == null || image.getRootFS().getLayers() == null
                ? 0
                : image.getRootFS().getLayers().size();
        return new ImageInfo(imageRef, image.getId(), image.getSize() == null ? 0 : image.getSize(), layers);
    }
}
