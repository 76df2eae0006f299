package dev.kiln.activities.golden;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.activities.docker.BaseImages;
import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import dev.kiln.workflows.FailureType;
import dev.kiln.workflows.golden.GoldenBuildRequest;
import dev.kiln.workflows.golden.GoldenBuildResult;
import dev.kiln.workflows.golden.GoldenGcResult;
import dev.kiln.workflows.golden.GoldenGeneration;
import dev.kiln.workflows.golden.GoldenHostActivities;
import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.GoldenPurgeResult;
import dev.kiln.workflows.golden.SessionInfo;
import dev.kiln.workflows.golden.SessionStart;
import dev.kiln.workflows.golden.SessionStop;
import dev.kiln.workflows.golden.WriteRateSeries;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Golden Docker caches on this host's disk: builds in their own dockerd, purge, promote by rename, session copies
 * and session daemons. See {@link GoldenLayout} for where everything lives.
 *
 * <p>Readers and writers of a project's generations meet under a per-project lock held only for bookkeeping: a
 * copy registers the generation it reads before it starts, and a generation is deleted (by GC, promote or clear)
 * only when it is not current and nobody reads it. Generations are never modified after their rename, so a copy
 * that raced a promotion has read a whole, purged generation, old or new.
 */
public final class GoldenHostActivitiesImpl implements GoldenHostActivities {
    public static final String MINIMAL_IMAGE = "kiln/minimal:latest";

    /** How often a build's or session's progress reaches its workflow's current details. */
    private static final Duration PROGRESS_SIGNAL_INTERVAL = Duration.ofSeconds(3);
    /** Short: builds stop their daemon before promote, and a slow shutdown holds up the whole build. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SCRIPT_TERM_GRACE = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int OUTPUT_TAIL_BYTES = 8 * 1024;
    private static final int FINISHED_SERIES_KEPT = 100;
    /** How long {@link #cancelBuild} waits for a running build activity here to clean up after itself. */
    private static final Duration CANCEL_WAIT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GoldenLayout layout;
    private final DockerClient hostDocker;
    private final List<String> baseImages;
    private final Clock clock;
    private final ParallelCopier copier;
    private final Duration sampleInterval;
    private final GoldenCopyListener copyListener;

    private final ConcurrentHashMap<String, Object> projectLocks = new ConcurrentHashMap<>();
    /** project -> generation -> copies reading it; guarded by the project's lock. */
    private final Map<String, Map<Long, Integer>> readers = new HashMap<>();
    /** project -> session ids whose copy is running. */
    private final ConcurrentHashMap<String, Set<String>> sessionCopies = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RunningBuild> builds = new ConcurrentHashMap<>();
    private final Map<String, WriteRateSeries> finishedSeries = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, WriteRateSeries> eldest) {
            return size() > FINISHED_SERIES_KEPT;
        }
    };

    public GoldenHostActivitiesImpl(Path root, DockerClient hostDocker, Clock clock) {
        this(root, hostDocker, clock, GoldenCopyListener.NONE);
    }

    /** @param copyListener told of every finished session copy (kiln-host's copy-throughput metrics) */
    public GoldenHostActivitiesImpl(Path root, DockerClient hostDocker, Clock clock, GoldenCopyListener copyListener) {
        this(root, hostDocker, List.of(MINIMAL_IMAGE), clock, ParallelCopier.withDefaults(), Duration.ofSeconds(2),
                copyListener);
    }

    /**
     * @param baseImages images loaded from the host's engine into every build daemon, so warm-up scripts can build
     *     and run on them without a registry
     * @param sampleInterval how often a build's writes are sampled
     */
    public GoldenHostActivitiesImpl(Path root, DockerClient hostDocker, List<String> baseImages, Clock clock,
            ParallelCopier copier, Duration sampleInterval) {
        this(root, hostDocker, baseImages, clock, copier, sampleInterval, GoldenCopyListener.NONE);
    }

    public GoldenHostActivitiesImpl(Path root, DockerClient hostDocker, List<String> baseImages, Clock clock,
            ParallelCopier copier, Duration sampleInterval, GoldenCopyListener copyListener) {
        this.layout = new GoldenLayout(requireNonNull(root, "root is null"));
        this.hostDocker = requireNonNull(hostDocker, "hostDocker is null");
        this.baseImages = List.copyOf(requireNonNull(baseImages, "baseImages is null"));
        this.clock = requireNonNull(clock, "clock is null");
        this.copier = requireNonNull(copier, "copier is null");
        this.sampleInterval = requireNonNull(sampleInterval, "sampleInterval is null");
        this.copyListener = requireNonNull(copyListener, "copyListener is null");
    }

    public GoldenLayout layout() {
        return layout;
    }

    // ---------------------------------------------------------------- build

    @Override
    public GoldenBuildResult build(GoldenBuildRequest request) {
        return build(request, new ProgressReporter(Activity.getExecutionContext(), PROGRESS_SIGNAL_INTERVAL));
    }

    /** The build with the heartbeat passed in: a heartbeat that throws (a cancel) stops and cleans up the build. */
    GoldenBuildResult build(GoldenBuildRequest request, Consumer<GoldenProgress> heartbeat) {
        String projectId = GoldenLayout.checkId("projectId", request.projectId());
        String buildId = GoldenLayout.checkId("buildId", request.buildId());
        Path resultFile = layout.result(projectId, buildId);
        Optional<GoldenBuildResult> finished = readJson(resultFile, GoldenBuildResult.class);
        if (finished.isPresent()) {
            return finished.get();
        }
        long startedNanos = System.nanoTime();
        long deadlineNanos = startedNanos + TimeUnit.SECONDS.toNanos(Math.max(1, request.deadlineSeconds()));
        Path buildDir = layout.build(projectId, buildId);
        Path data = GoldenLayout.buildData(buildDir);
        DaemonPaths paths = layout.daemon("build", buildId);
        RunningBuild running = new RunningBuild();
        if (builds.putIfAbsent(buildId, running) != null) {
            throw ApplicationFailure.newFailure("build " + buildId + " is already running on this host",
                    FailureType.GOLDEN_CONFLICT.name());
        }
        WriteRateSampler sampler = null;
        try {
            // No result, yet maybe a dir: an attempt before died with its worker. Start again from scratch.
            SessionDaemon.tearDown(paths, data, STOP_GRACE);
            Commands.removeTree(buildDir);
            if (request.warmupScript() == null || request.warmupScript().isBlank()) {
                return failed(projectId, buildId, buildDir, resultFile, 127, false, "the warm-up script is missing",
                        "", startedNanos, 0);
            }
            Files.createDirectories(GoldenLayout.buildWorkspace(buildDir));
            long baseGeneration = 0;
            Phase phase = new Phase(heartbeat, startedNanos, deadlineNanos, running);
            if (request.incremental()) {
                baseGeneration = copyCurrent(projectId, data, (copied, total) -> phase.beat(GoldenProgress.COPY,
                        copied, total, 0, CopyProgressMessages.unpacking(copied, total)));
            }
            Files.createDirectories(data);
            phase.beat(GoldenProgress.START_DAEMON, 0, 0, 0, "Starting the build's Docker daemon");
            SessionDaemon daemon = SessionDaemon.start(paths, data);
            running.daemon = daemon;
            daemon.awaitReady(READY_TIMEOUT, () -> phase.beat(GoldenProgress.START_DAEMON, 0, 0, 0,
                    "Starting the build's Docker daemon"));
            sampler = new WriteRateSampler(buildId, paths, data, clock, sampleInterval);
            running.sampler = sampler;
            phase.beat(GoldenProgress.LOAD_BASE, 0, 0, 0, "Loading base images");
            loadBaseImages(paths);
            ScriptOutcome outcome = runScript(request, buildDir, paths, phase, sampler);
            WriteRateSampler finalSampler = sampler;
            phase.beatUnchecked(GoldenProgress.STOP_DAEMON, finalSampler, "Stopping the build's Docker daemon");
            // The daemon must have exited before anything can be purged or promoted: it writes until it is gone.
            daemon.stop(STOP_GRACE);
            sampler.close();
            if (outcome.cancelled) {
                cleanUpBuild(paths, buildDir);
                if (running.heartbeatFailure != null) {
                    // Cancelled through Temporal: the activity ends as cancelled, not with a result.
                    throw running.heartbeatFailure;
                }
                return result(buildId, -1, false, "cancelled", outcome.tail, null, startedNanos, baseGeneration);
            }
            if (outcome.exitCode != 0 || outcome.timedOut) {
                String failure = outcome.timedOut
                        ? "the build did not finish within its deadline of " + request.deadlineSeconds() + " s"
                        : "the warm-up script exited with code " + outcome.exitCode;
                return failed(projectId, buildId, buildDir, resultFile, outcome.exitCode, outcome.timedOut, failure,
                        outcome.tail, startedNanos, baseGeneration);
            }
            GoldenBuildResult result = result(buildId, 0, false, null, outcome.tail, data.toString(), startedNanos,
                    baseGeneration);
            writeJson(resultFile, result);
            return result;
        } catch (DeadlineExceeded e) {
            return failed(projectId, buildId, buildDir, resultFile, -1, true,
                    "the build did not finish within its deadline of " + request.deadlineSeconds() + " s ("
                            + e.getMessage() + ")", "", startedNanos, 0);
        } catch (IOException e) {
            cleanUpAfterError(paths, buildDir, e);
            throw new UncheckedIOException("golden build " + buildId, e);
        } catch (RuntimeException e) {
            // A cancel (the heartbeat threw) or an error: nothing of this build may stay behind.
            cleanUpAfterError(paths, buildDir, e);
            if (running.cancelled) {
                return result(buildId, -1, false, "cancelled", "", null, startedNanos, 0);
            }
            throw e;
        } finally {
            if (sampler != null) {
                sampler.close();
                synchronized (finishedSeries) {
                    finishedSeries.put(buildId, sampler.series());
                }
            }
            builds.remove(buildId);
            running.done.countDown();
        }
    }

    private GoldenBuildResult failed(String projectId, String buildId, Path buildDir, Path resultFile, int exitCode,
            boolean timedOut, String failure, String tail, long startedNanos, long baseGeneration) {
        cleanUpBuild(layout.daemon("build", buildId), buildDir);
        GoldenBuildResult result = result(buildId, exitCode, timedOut, failure, tail, null, startedNanos,
                baseGeneration);
        writeJson(resultFile, result);
        return result;
    }

    private static GoldenBuildResult result(String buildId, int exitCode, boolean timedOut, String failure,
            String tail, String stagingDir, long startedNanos, long baseGeneration) {
        return new GoldenBuildResult(buildId, exitCode, timedOut, failure, tail, stagingDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos), baseGeneration);
    }

    private void cleanUpBuild(DaemonPaths paths, Path buildDir) {
        SessionDaemon.tearDown(paths, GoldenLayout.buildData(buildDir), STOP_GRACE);
        Commands.removeTree(buildDir);
    }

    private void cleanUpAfterError(DaemonPaths paths, Path buildDir, Exception e) {
        try {
            cleanUpBuild(paths, buildDir);
        } catch (RuntimeException cleanup) {
            e.addSuppressed(cleanup);
        }
    }

    /** Heartbeats with the elapsed time, the bytes written so far, and the deadline and cancel checks. */
    private static final class Phase {
        private final Consumer<GoldenProgress> heartbeat;
        private final long startedNanos;
        private final long deadlineNanos;
        private final RunningBuild running;

        Phase(Consumer<GoldenProgress> heartbeat, long startedNanos, long deadlineNanos, RunningBuild running) {
            this.heartbeat = heartbeat;
            this.startedNanos = startedNanos;
            this.deadlineNanos = deadlineNanos;
            this.running = running;
        }

        void beat(String phase, long copied, long total, long written, String message) {
            if (running.cancelled) {
                throw new IllegalStateException("build cancelled on the host");
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new DeadlineExceeded("deadline passed during " + phase);
            }
            heartbeat.accept(new GoldenProgress(phase, elapsedMs(), copied, total, written, message));
        }

        /** After the script: the deadline no longer applies, the daemon is stopped whatever happens. */
        void beatUnchecked(String phase, WriteRateSampler sampler, String message) {
            try {
                heartbeat.accept(new GoldenProgress(phase, elapsedMs(), 0, 0, written(sampler), message));
            } catch (RuntimeException e) {
                if (running.heartbeatFailure == null) {
                    running.heartbeatFailure = e;
                }
            }
        }

        boolean pastDeadline() {
            return System.nanoTime() > deadlineNanos;
        }

        long elapsedMs() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        }

        static long written(WriteRateSampler sampler) {
            var samples = sampler.series().samples();
            return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).writeBytes();
        }
    }

    private static final class DeadlineExceeded extends RuntimeException {
        DeadlineExceeded(String message) {
            super(message);
        }
    }

    /** What {@link #cancelBuild} reaches while the build activity runs in this worker. */
    private static final class RunningBuild {
        volatile boolean cancelled;
        volatile Process script;
        volatile SessionDaemon daemon;
        volatile WriteRateSampler sampler;
        volatile RuntimeException heartbeatFailure;
        final CountDownLatch done = new CountDownLatch(1);
    }

    private record ScriptOutcome(int exitCode, boolean timedOut, boolean cancelled, String tail) {}

    /**
     * Runs the script in a session of its own ({@code setsid}), so that a timeout or a cancel kills it with
     * everything it started, backgrounded jobs and docker CLIs included.
     */
    private ScriptOutcome runScript(GoldenBuildRequest request, Path buildDir, DaemonPaths paths, Phase phase,
            WriteRateSampler sampler) throws IOException {
        Path script = buildDir.resolve("warmup.sh");
        Path log = buildDir.resolve("warmup.log");
        Files.writeString(script, request.warmupScript());
        Path workspace = GoldenLayout.buildWorkspace(buildDir);
        String shell = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";
        ProcessBuilder builder = new ProcessBuilder("setsid", shell, script.toString())
                .directory(workspace.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> environment = builder.environment();
        environment.put("DOCKER_HOST", paths.dockerHost());
        environment.remove("DOCKER_CONTEXT");
        environment.put("DOCKER_CONFIG", buildDir.resolve(".docker").toString());
        environment.put("KILN_GOLDEN_BUILD", "true");
        environment.put("KILN_PROJECT_ID", request.projectId());
        environment.put("KILN_BUILD_ID", request.buildId());
        environment.put("KILN_WORKSPACE", workspace.toString());
        RunningBuild running = builds.get(request.buildId());
        Process process = builder.start();
        running.script = process;
        boolean timedOut = false;
        boolean cancelled = false;
        try {
            while (true) {
                try {
                    if (process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancelled = true;
                    break;
                }
                if (running.cancelled) {
                    cancelled = true;
                    break;
                }
                if (phase.pastDeadline()) {
                    timedOut = true;
                    break;
                }
                try {
                    phase.heartbeat.accept(new GoldenProgress(GoldenProgress.SCRIPT, phase.elapsedMs(), 0, 0,
                            Phase.written(sampler), "Running the warm-up script"));
                } catch (RuntimeException e) {
                    // The activity was cancelled: stop the script here, the caller stops the daemon and cleans up.
                    running.heartbeatFailure = e;
                    cancelled = true;
                    break;
                }
            }
        } finally {
            killGroup(process);
        }
        // cancelBuild kills the script itself, so the script may have "exited" because of the cancel.
        cancelled |= running.cancelled;
        int exitCode = timedOut || cancelled ? -1 : process.exitValue();
        return new ScriptOutcome(exitCode, timedOut, cancelled, tail(log));
    }

    /** SIGTERM to the script's process group, SIGKILL after a grace; also after a clean exit, for its leftovers. */
    static void killGroup(Process process) {
        long group = process.pid();
        List<ProcessHandle> descendants = process.descendants().toList();
        Commands.exec(List.of("kill", "-TERM", "--", "-" + group), Duration.ofSeconds(10));
        descendants.forEach(ProcessHandle::destroy);
        try {
            process.waitFor(SCRIPT_TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Commands.exec(List.of("kill", "-KILL", "--", "-" + group), Duration.ofSeconds(10));
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - OUTPUT_TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            return new String(bytes, UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** docker save from the host's engine, docker load into the build's daemon; skipped when already there. */
    private void loadBaseImages(DaemonPaths paths) throws IOException {
        for (String image : baseImages) {
            if (image.equals(MINIMAL_IMAGE)) {
                BaseImages.ensureMinimal(hostDocker, image);
            }
            String hostId;
            try {
                hostId = hostDocker.inspectImageCmd(image).exec().getId();
            } catch (NotFoundException e) {
                throw ApplicationFailure.newNonRetryableFailureWithCause("base image " + image
                        + " is not on this host", FailureType.IMAGE_NOT_FOUND.name(), e);
            }
            Commands.Result present = Commands.exec(List.of("docker", "-H", paths.dockerHost(), "image", "inspect",
                    "--format", "{{.Id}}", image), Duration.ofSeconds(30));
            if (present.ok() && present.output().strip().equals(hostId)) {
                continue;
            }
            Process load = new ProcessBuilder("docker", "-H", paths.dockerHost(), "load")
                    .redirectErrorStream(true)
                    .redirectOutput(paths.runDir().resolve("load.log").toFile())
                    .start();
            try (InputStream saved = hostDocker.saveImageCmd(image).exec(); OutputStream in = load.getOutputStream()) {
                saved.transferTo(in);
            }
            try {
                if (!load.waitFor(10, TimeUnit.MINUTES) || load.exitValue() != 0) {
                    load.destroyForcibly();
                    throw new IllegalStateException("docker load of " + image + " into " + paths.dockerHost()
                            + " failed: " + Commands.readString(paths.runDir().resolve("load.log")).orElse(""));
                }
            } catch (InterruptedException e) {
                load.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while loading " + image, e);
            }
        }
    }

    // ---------------------------------------------------------------- purge and promote

    @Override
    public GoldenPurgeResult purge(String projectId, String buildId) {
        Path buildDir = layout.build(projectId, buildId);
        Path data = GoldenLayout.buildData(buildDir);
        if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
            Optional<GoldenGeneration> promoted = findGeneration(projectId, buildId);
            if (promoted.isPresent()) {
                return new GoldenPurgeResult(buildId, List.of(), 0, false, promoted.get().sizeBytes());
            }
            throw ApplicationFailure.newNonRetryableFailure("build " + buildId + " of project " + projectId
                    + " has no staging dir on this host", FailureType.NOT_FOUND.name());
        }
        DaemonPaths paths = layout.daemon("build", buildId);
        if (builds.containsKey(buildId) || SessionDaemon.running(paths).isPresent()
                || !ProcFs.mountsUnder(data).isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure("build " + buildId + " is still running; its daemon must"
                    + " exit before the purge", FailureType.GOLDEN_CONFLICT.name());
        }
        Purger.Outcome outcome = Purger.purge(data);
        long size = Commands.apparentSize(data);
        GoldenPurgeResult result = new GoldenPurgeResult(buildId, outcome.removedEntries(), outcome.prunedLayers(),
                outcome.pruneSkipped(), size);
        writeJson(buildDir.resolve(GoldenLayout.PURGED), result);
        return result;
    }

    /** The golden-version.json of a generation. */
    record VersionFile(String projectId, long generation, String buildId, long sizeBytes, long promotedAtMs) {
        GoldenGeneration toGeneration(Path generationDir) {
            return new GoldenGeneration(projectId, generation, buildId, sizeBytes,
                    GoldenLayout.generationData(generationDir).toString(), promotedAtMs);
        }
    }

    @Override
    public GoldenGeneration promote(String projectId, String buildId) {
        Path buildDir = layout.build(projectId, buildId);
        synchronized (projectLock(projectId)) {
            Optional<GoldenGeneration> promoted = findGeneration(projectId, buildId);
            if (promoted.isPresent()) {
                // A retry, possibly after a crash between the rename and the swap: finish the swap if needed.
                GoldenGeneration generation = promoted.get();
                if (layout.currentGeneration(projectId).orElse(0) < generation.generation()) {
                    layout.swapCurrent(projectId, generation.generation());
                }
                Commands.removeTree(buildDir);
                return generation;
            }
            Path data = GoldenLayout.buildData(buildDir);
            if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
                throw ApplicationFailure.newNonRetryableFailure("build " + buildId + " of project " + projectId
                        + " has no staging dir on this host", FailureType.NOT_FOUND.name());
            }
            if (!Files.isRegularFile(buildDir.resolve(GoldenLayout.PURGED))) {
                throw ApplicationFailure.newNonRetryableFailure("build " + buildId + " must be purged before it is"
                        + " promoted", FailureType.GOLDEN_CONFLICT.name());
            }
            long next = Math.max(layout.currentGeneration(projectId).orElse(0), highestGeneration(projectId)) + 1;
            Path generationDir = layout.generation(projectId, next);
            Path temporary = generationDir.resolveSibling(generationDir.getFileName() + ".tmp");
            try {
                Commands.removeTree(temporary);
                Files.createDirectories(temporary);
                Files.move(data, GoldenLayout.generationData(temporary), StandardCopyOption.ATOMIC_MOVE);
                long size = Commands.apparentSize(GoldenLayout.generationData(temporary));
                VersionFile version = new VersionFile(projectId, next, buildId, size, clock.millis());
                writeJson(temporary.resolve(GoldenLayout.VERSION_FILE), version);
                Files.move(temporary, generationDir, StandardCopyOption.ATOMIC_MOVE);
                layout.swapCurrent(projectId, next);
                Commands.removeTree(buildDir);
                removeUnreadGenerations(projectId);
                return version.toGeneration(generationDir);
            } catch (IOException e) {
                throw new UncheckedIOException("promoting build " + buildId + " of project " + projectId, e);
            }
        }
    }

    @Override
    public GoldenGeneration current(String projectId) {
        OptionalLong generation = layout.currentGeneration(projectId);
        if (generation.isEmpty()) {
            return null;
        }
        Path generationDir = layout.generation(projectId, generation.getAsLong());
        return readJson(generationDir.resolve(GoldenLayout.VERSION_FILE), VersionFile.class)
                .map(version -> version.toGeneration(generationDir))
                .orElse(null);
    }

    private Optional<GoldenGeneration> findGeneration(String projectId, String buildId) {
        for (Path generationDir : generationDirs(projectId)) {
            Optional<VersionFile> version = readJson(generationDir.resolve(GoldenLayout.VERSION_FILE),
                    VersionFile.class);
            if (version.isPresent() && buildId.equals(version.get().buildId())) {
                return Optional.of(version.get().toGeneration(generationDir));
            }
        }
        return Optional.empty();
    }

    private long highestGeneration(String projectId) {
        return generationDirs(projectId).stream()
                .map(dir -> GoldenLayout.parseGeneration(dir.getFileName().toString()))
                .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).max().orElse(0);
    }

    private List<Path> generationDirs(String projectId) {
        Path project = layout.project(projectId);
        if (!Files.isDirectory(project)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(project)) {
            return entries.filter(path -> GoldenLayout.parseGeneration(path.getFileName().toString()).isPresent())
                    .filter(path -> Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Caller holds the project's lock. Generations neither current nor read, and half-made .tmp dirs, go. */
    private int removeUnreadGenerations(String projectId) {
        long current = layout.currentGeneration(projectId).orElse(-1);
        Map<Long, Integer> reading = readers.getOrDefault(projectId, Map.of());
        int removed = 0;
        Path project = layout.project(projectId);
        if (!Files.isDirectory(project)) {
            return 0;
        }
        List<Path> entries;
        try (Stream<Path> list = Files.list(project)) {
            entries = list.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (name.startsWith("gen-") && name.endsWith(".tmp")) {
                Commands.removeTree(entry);
                continue;
            }
            OptionalLong generation = GoldenLayout.parseGeneration(name);
            if (generation.isEmpty() || generation.getAsLong() == current
                    || reading.getOrDefault(generation.getAsLong(), 0) > 0) {
                continue;
            }
            Commands.removeTree(entry);
            removed++;
        }
        return removed;
    }

    private Object projectLock(String projectId) {
        return projectLocks.computeIfAbsent(projectId, id -> new Object());
    }

    /**
     * Copies the project's current generation to {@code destination}; returns its number, or 0 (and copies
     * nothing) when the project has no golden. The generation is registered as read for the whole copy.
     */
    private long copyCurrent(String projectId, Path destination, ParallelCopier.Progress progress) {
        long generation;
        synchronized (projectLock(projectId)) {
            OptionalLong current = layout.currentGeneration(projectId);
            if (current.isEmpty()) {
                return 0;
            }
            generation = current.getAsLong();
            readers.computeIfAbsent(projectId, id -> new HashMap<>()).merge(generation, 1, Integer::sum);
        }
        try {
            copier.copy(GoldenLayout.generationData(layout.generation(projectId, generation)), destination, progress);
            return generation;
        } finally {
            synchronized (projectLock(projectId)) {
                readers.get(projectId).merge(generation, -1, (a, b) -> a + b == 0 ? null : a + b);
            }
        }
    }

    @Override
    public WriteRateSeries writeRate(String buildId) {
        RunningBuild running = builds.get(buildId);
        if (running != null && running.sampler != null) {
            return running.sampler.series();
        }
        synchronized (finishedSeries) {
            WriteRateSeries finished = finishedSeries.get(buildId);
            if (finished != null) {
                return finished;
            }
        }
        return new WriteRateSeries(buildId, List.of(), 0, WriteRateSampler.PROC_IO, running != null);
    }

    @Override
    public void cancelBuild(String projectId, String buildId) {
        RunningBuild running = builds.get(buildId);
        if (running != null) {
            running.cancelled = true;
            Process script = running.script;
            if (script != null) {
                killGroup(script);
            }
            try {
                running.done.await(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Also when the build activity died with an earlier worker: everything is found from the paths.
        cleanUpBuild(layout.daemon("build", buildId), layout.build(projectId, buildId));
    }

    @Override
    public void clearGolden(String projectId) {
        synchronized (projectLock(projectId)) {
            boolean copying = !sessionCopies.getOrDefault(projectId, Set.of()).isEmpty()
                    || readers.getOrDefault(projectId, Map.of()).values().stream().anyMatch(count -> count > 0);
            if (copying) {
                throw ApplicationFailure.newNonRetryableFailure("a session copy of project " + projectId
                        + " is running on this host; clear it when the copy is done",
                        FailureType.GOLDEN_CONFLICT.name());
            }
            try {
                // The pointer first: from here on a new session sees no golden, even if a removal below fails.
                Files.deleteIfExists(layout.currentLink(projectId));
            } catch (IOException e) {
                throw new UncheckedIOException("removing the golden pointer of " + projectId, e);
            }
            removeUnreadGenerations(projectId);
        }
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public SessionInfo startSession(SessionStart request) {
        return startSession(request, new ProgressReporter(Activity.getExecutionContext(), PROGRESS_SIGNAL_INTERVAL));
    }

    /** Written beside a session's data dir when its copy is complete. */
    record CopyMarker(String projectId, long generation, long copiedBytes, long totalBytes, long completedAtMs) {}

    /** Written when a session dir is made, to tie it to its project. */
    record SessionFile(String projectId, String sessionId) {}

    SessionInfo startSession(SessionStart request, Consumer<GoldenProgress> heartbeat) {
        String projectId = GoldenLayout.checkId("projectId", request.projectId());
        String sessionId = GoldenLayout.checkId("sessionId", request.sessionId());
        Path sessionDir = layout.session(sessionId);
        Path data = GoldenLayout.sessionData(sessionDir);
        DaemonPaths paths = layout.daemon("session", sessionId);
        Optional<SessionFile> owner = readJson(sessionDir.resolve("session.json"), SessionFile.class);
        if (owner.isPresent() && !owner.get().projectId().equals(projectId)) {
            throw ApplicationFailure.newNonRetryableFailure("session " + sessionId + " belongs to project "
                    + owner.get().projectId(), FailureType.GOLDEN_CONFLICT.name());
        }
        Optional<CopyMarker> marker = readJson(sessionDir.resolve(GoldenLayout.COPY_COMPLETE), CopyMarker.class);
        boolean reused = marker.isPresent();
        if (marker.isPresent() && SessionDaemon.running(paths).isPresent()) {
            touch(sessionDir.resolve(GoldenLayout.LAST_ACTIVE));
            return info(projectId, sessionId, marker.get(), paths, data, true);
        }
        SessionDaemon.tearDown(paths, data, STOP_GRACE);
        if (marker.isEmpty()) {
            // No marker: never started, or a copy cut short by a crash. Whatever is there is not trusted.
            marker = Optional.of(copyForSession(projectId, sessionId, sessionDir, heartbeat));
        }
        heartbeat.accept(new GoldenProgress(GoldenProgress.START_DAEMON, 0, marker.get().copiedBytes(),
                marker.get().totalBytes(), 0, "Starting Docker"));
        SessionDaemon daemon = SessionDaemon.start(paths, data);
        try {
            daemon.awaitReady(READY_TIMEOUT, () -> {});
        } catch (RuntimeException e) {
            try {
                daemon.stop(STOP_GRACE);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        touch(sessionDir.resolve(GoldenLayout.LAST_ACTIVE));
        return info(projectId, sessionId, marker.get(), paths, data, reused);
    }

    private CopyMarker copyForSession(String projectId, String sessionId, Path sessionDir,
            Consumer<GoldenProgress> heartbeat) {
        Path data = GoldenLayout.sessionData(sessionDir);
        Set<String> copying = sessionCopies.computeIfAbsent(projectId, id -> ConcurrentHashMap.newKeySet());
        copying.add(sessionId);
        try {
            Commands.removeTree(sessionDir);
            Files.createDirectories(sessionDir);
            writeJson(sessionDir.resolve("session.json"), new SessionFile(projectId, sessionId));
            long[] sizes = new long[2];
            long copyStarted = System.nanoTime();
            long generation = copyCurrent(projectId, data, (copied, total) -> {
                sizes[0] = copied;
                sizes[1] = total;
                heartbeat.accept(new GoldenProgress(GoldenProgress.COPY, 0, copied, total, 0,
                        CopyProgressMessages.unpacking(copied, total)));
            });
            if (generation > 0) {
                copyListener.copied(sizes[0], Duration.ofNanos(System.nanoTime() - copyStarted));
            }
            Files.createDirectories(data);
            CopyMarker marker = new CopyMarker(projectId, generation, sizes[0], sizes[1], clock.millis());
            writeJson(sessionDir.resolve(GoldenLayout.COPY_COMPLETE), marker);
            return marker;
        } catch (IOException e) {
            removeQuietly(sessionDir, e);
            throw new UncheckedIOException("copying the golden of " + projectId + " for session " + sessionId, e);
        } catch (RuntimeException e) {
            // Cancelled or failed: a partial copy is never handed to a daemon (the reference bound it anyway).
            removeQuietly(sessionDir, e);
            throw e;
        } finally {
            copying.remove(sessionId);
        }
    }

    private static void removeQuietly(Path dir, Exception e) {
        try {
            Commands.removeTree(dir);
        } catch (RuntimeException cleanup) {
            e.addSuppressed(cleanup);
        }
    }

    private static SessionInfo info(String projectId, String sessionId, CopyMarker marker, DaemonPaths paths,
            Path data, boolean reused) {
        return new SessionInfo(projectId, sessionId, marker.generation(), marker.copiedBytes(), marker.totalBytes(),
                paths.dockerHost(), data.toString(), reused);
    }

    @Override
    public void stopSession(SessionStop request) {
        String sessionId = GoldenLayout.checkId("sessionId", request.sessionId());
        Path sessionDir = layout.session(sessionId);
        SessionDaemon.tearDown(layout.daemon("session", sessionId), GoldenLayout.sessionData(sessionDir), STOP_GRACE);
        if (request.removeData()) {
            Commands.removeTree(sessionDir);
        } else if (Files.isDirectory(sessionDir)) {
            touch(sessionDir.resolve(GoldenLayout.LAST_ACTIVE));
        }
    }

    // ---------------------------------------------------------------- garbage

    @Override
    public GoldenGcResult collectGarbage(Duration idle) {
        Instant cutoff = clock.instant().minus(idle);
        int sessions = 0;
        for (Path sessionDir : list(layout.sessions())) {
            String sessionId = sessionDir.getFileName().toString();
            DaemonPaths paths = layout.daemon("session", sessionId);
            boolean copying = sessionCopies.values().stream().anyMatch(ids -> ids.contains(sessionId));
            if (copying || SessionDaemon.running(paths).isPresent()) {
                continue;
            }
            if (lastActive(sessionDir).isBefore(cutoff)) {
                SessionDaemon.tearDown(paths, GoldenLayout.sessionData(sessionDir), STOP_GRACE);
                Commands.removeTree(sessionDir);
                sessions++;
            }
        }
        int generations = 0;
        int buildDirs = 0;
        for (Path project : list(layout.projects())) {
            String projectId = project.getFileName().toString();
            for (Path buildDir : list(layout.builds(projectId))) {
                String buildId = buildDir.getFileName().toString();
                if (!builds.containsKey(buildId) && lastActive(buildDir).isBefore(cutoff)) {
                    cleanUpBuild(layout.daemon("build", buildId), buildDir);
                    buildDirs++;
                }
            }
            synchronized (projectLock(projectId)) {
                generations += removeUnreadGenerations(projectId);
            }
        }
        return new GoldenGcResult(sessions, generations, buildDirs);
    }

    /** The newer of the dir's and its activity marker's modification times. */
    private static Instant lastActive(Path dir) {
        Instant newest = Instant.EPOCH;
        for (Path path : List.of(dir, dir.resolve(GoldenLayout.LAST_ACTIVE))) {
            try {
                Instant modified = Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant();
                newest = modified.isAfter(newest) ? modified : newest;
            } catch (IOException e) {
                // no marker
            }
        }
        return newest;
    }

    private void touch(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
        } catch (IOException e) {
            throw new UncheckedIOException("touching " + file, e);
        }
    }

    private static List<Path> list(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(path -> Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- files

    /** Written to a temporary file and renamed, so a crash leaves the old file or the new, never half of one. */
    private static void writeJson(Path file, Object value) {
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temporary, JSON.writeValueAsBytes(value));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    private static <T> Optional<T> readJson(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), type));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    List<String> activeCopies(String projectId) {
        return new ArrayList<>(sessionCopies.getOrDefault(projectId, Set.of()));
    }
}
