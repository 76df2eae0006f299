package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import dev.kiln.activities.golden.GoldenLayout.DaemonPaths;
import dev.kiln.activities.golden.RunningBuilds.RunningBuild;
import dev.kiln.workflows.golden.GoldenBuildRequest;
import dev.kiln.workflows.golden.GoldenBuildResult;
import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.WriteRateSeries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One golden build on this host, end to end under one deadline: the copy of the current golden (incremental) or an
 * empty data dir, the build's own daemon, the base images, the warm-up script, and the daemon's exit. A failed,
 * missing or timed-out script is a result, and its dir is gone; a cancel, from the heartbeat or from
 * {@link #cancel}, kills the script and the daemon and removes the dir.
 */
final class GoldenBuilder {
    /** Short: builds stop their daemon before promote, and a slow shutdown holds up the whole build. */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int FINISHED_SERIES_KEPT = 100;
    /** How long {@link #cancel} waits for a running build activity here to clean up after itself. */
    private static final Duration CANCEL_WAIT = Duration.ofMinutes(2);

    private final GoldenLayout layout;
    private final GenerationStore store;
    private final RunningBuilds builds;
    private final BaseImageLoader baseImages;
    private final Clock clock;
    private final Duration sampleInterval;
    private final Map<String, WriteRateSeries> finishedSeries = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, WriteRateSeries> eldest) {
            return size() > FINISHED_SERIES_KEPT;
        }
    };

    /** @param sampleInterval how often a build's writes are sampled */
    GoldenBuilder(GoldenLayout layout, GenerationStore store, RunningBuilds builds, BaseImageLoader baseImages,
            Clock clock, Duration sampleInterval) {
        this.layout = requireNonNull(layout, "layout is null");
        this.store = requireNonNull(store, "store is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.baseImages = requireNonNull(baseImages, "baseImages is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sampleInterval = requireNonNull(sampleInterval, "sampleInterval is null");
    }

    /** The build with its heartbeat: a heartbeat that throws (a cancel) stops and cleans up the build. */
    GoldenBuildResult build(GoldenBuildRequest request, Consumer<GoldenProgress> heartbeat) {
        String projectId = GoldenLayout.checkId("projectId", request.projectId());
        String buildId = GoldenLayout.checkId("buildId", request.buildId());
        Path resultFile = layout.result(projectId, buildId);
        Optional<GoldenBuildResult> finished = GoldenFiles.readJson(resultFile, GoldenBuildResult.class);
        if (finished.isPresent()) {
            return finished.get();
        }
        long startedNanos = System.nanoTime();
        long deadlineNanos = startedNanos + TimeUnit.SECONDS.toNanos(Math.max(1, request.deadlineSeconds()));
        Path buildDir = layout.build(projectId, buildId);
        Path data = GoldenLayout.buildData(buildDir);
        DaemonPaths paths = layout.daemon("build", buildId);
        RunningBuild running = builds.register(buildId);
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
            BuildPhase phase = new BuildPhase(heartbeat, startedNanos, deadlineNanos, running);
            if (request.incremental()) {
                baseGeneration = store.copyCurrent(projectId, data, (copied, total) -> phase.beat(GoldenProgress.COPY,
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
            baseImages.load(paths);
            WarmupScript.Outcome outcome = WarmupScript.run(request, buildDir, paths, phase, running);
            phase.beatUnchecked(GoldenProgress.STOP_DAEMON, "Stopping the build's Docker daemon");
            // The daemon must have exited before anything can be purged or promoted: it writes until it is gone.
            daemon.stop(STOP_GRACE);
            sampler.close();
            if (outcome.cancelled()) {
                cleanUp(paths, buildDir);
                if (running.heartbeatFailure != null) {
                    // Cancelled through Temporal: the activity ends as cancelled, not with a result.
                    throw running.heartbeatFailure;
                }
                return result(buildId, -1, false, "cancelled", outcome.tail(), null, startedNanos, baseGeneration);
            }
            if (outcome.exitCode() != 0 || outcome.timedOut()) {
                String failure = outcome.timedOut()
                        ? "the build did not finish within its deadline of " + request.deadlineSeconds() + " s"
                        : "the warm-up script exited with code " + outcome.exitCode();
                return failed(projectId, buildId, buildDir, resultFile, outcome.exitCode(), outcome.timedOut(),
                        failure, outcome.tail(), startedNanos, baseGeneration);
            }
            GoldenBuildResult result = result(buildId, 0, false, null, outcome.tail(), data.toString(), startedNanos,
                    baseGeneration);
            GoldenFiles.writeJson(resultFile, result);
            return result;
        } catch (BuildPhase.DeadlineExceeded e) {
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
            builds.finished(buildId, running);
        }
    }

    /** The build's write series so far (or the final one); an unknown build gives an empty series. */
    WriteRateSeries writeRate(String buildId) {
        Optional<RunningBuild> running = builds.get(buildId);
        if (running.isPresent() && running.get().sampler != null) {
            return running.get().sampler.series();
        }
        synchronized (finishedSeries) {
            WriteRateSeries finished = finishedSeries.get(buildId);
            if (finished != null) {
                return finished;
            }
        }
        return new WriteRateSeries(buildId, List.of(), 0, WriteRateSampler.PROC_IO, running.isPresent());
    }

    /** Stops the build whether or not its activity still runs here; everything is found from the paths. */
    void cancel(String projectId, String buildId) {
        Optional<RunningBuild> found = builds.get(buildId);
        if (found.isPresent()) {
            RunningBuild running = found.get();
            running.cancelled = true;
            Process script = running.script;
            if (script != null) {
                WarmupScript.killGroup(script);
            }
            try {
                running.done.await(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Also when the build activity died with an earlier worker.
        cleanUp(layout.daemon("build", buildId), layout.build(projectId, buildId));
    }

    /** Stops the build's daemon if it runs and removes the build's dir. */
    static void cleanUp(DaemonPaths paths, Path buildDir) {
        SessionDaemon.tearDown(paths, GoldenLayout.buildData(buildDir), STOP_GRACE);
        Commands.removeTree(buildDir);
    }

    private static void cleanUpAfterError(DaemonPaths paths, Path buildDir, Exception e) {
        try {
            cleanUp(paths, buildDir);
        } catch (RuntimeException cleanup) {
            e.addSuppressed(cleanup);
        }
    }

    private GoldenBuildResult failed(String projectId, String buildId, Path buildDir, Path resultFile, int exitCode,
            boolean timedOut, String failure, String tail, long startedNanos, long baseGeneration) {
        cleanUp(layout.daemon("build", buildId), buildDir);
        GoldenBuildResult result = result(buildId, exitCode, timedOut, failure, tail, null, startedNanos,
                baseGeneration);
        GoldenFiles.writeJson(resultFile, result);
        return result;
    }

    private static GoldenBuildResult result(String buildId, int exitCode, boolean timedOut, String failure,
            String tail, String stagingDir, long startedNanos, long baseGeneration) {
        return new GoldenBuildResult(buildId, exitCode, timedOut, failure, tail, stagingDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos), baseGeneration);
    }
}
