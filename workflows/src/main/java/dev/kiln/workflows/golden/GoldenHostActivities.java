package dev.kiln.workflows.golden;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;

/**
 * Host-side work of golden Docker caches. Scheduled on {@code host-<hostId>}: a golden lives on one host, and
 * every build, purge, promote and session of it runs there. Each method is idempotent on the id it is given: a
 * retry after a lost response reports what was done, a retry after a host crash cleans up and starts again.
 *
 * <p>Order for a build: {@link #build} (the daemon has exited when it returns), {@link #purge}, {@link #promote}.
 * A session copy running meanwhile sees the old generation or the new, purged one, never a half-purged one.
 */
@ActivityInterface
public interface GoldenHostActivities {
    /** The activity types kiln-api reads the {@link GoldenProgress} heartbeat of, while they are pending. */
    String BUILD = "GoldenBuild";
    String SESSION_START = "SessionStart";

    /**
     * Copies the current golden (incremental) or starts from an empty data dir, starts the build's own daemon,
     * loads the base images into it, runs the warm-up script under one deadline for the whole build, and stops
     * the daemon and waits for it to exit. Heartbeats {@link GoldenProgress} with the write series so far, which is
     * what kiln-api shows of a running build; cancelled, it kills the script's process group and the daemon and
     * removes the build's dir. A failing, missing or timed-out script is a result with {@code ok() == false}, and
     * its dir is gone.
     */
    @ActivityMethod(name = BUILD)
    GoldenBuildResult build(GoldenBuildRequest request);

    /**
     * Removes what must not reach a session from the build's stopped data dir (containers, networks, containerd
     * state, buildx, volumes, marker files, container layer mounts) and the overlay2 layers no image references.
     * Idempotent; fails with {@code NOT_FOUND} when the build has no staging dir.
     */
    @ActivityMethod(name = "GoldenPurge")
    GoldenPurgeResult purge(String projectId, String buildId);

    /**
     * Moves the purged staging dir into a new generation dir and swaps the project's current pointer to it in one
     * rename. Fails with {@code GOLDEN_CONFLICT} before the purge; a retry after success returns the same
     * generation.
     */
    @ActivityMethod(name = "GoldenPromote")
    GoldenGeneration promote(String projectId, String buildId);

    /**
     * The build's final write series, which the workflow records once the build has ended (a running build's is in
     * its heartbeat); an unknown build gives an empty series.
     */
    @ActivityMethod(name = "GoldenWriteRate")
    WriteRateSeries writeRate(String buildId);

    /**
     * Stops a build on this host whether or not its activity is still running here: kills the script's process
     * group and the daemon, removes the build's dir and netns. A build that is not there is fine.
     */
    @ActivityMethod(name = "GoldenCancelBuild")
    void cancelBuild(String projectId, String buildId);

    /**
     * Deletes the project's golden (every generation) on this host. Fails with {@code GOLDEN_CONFLICT} while a
     * session copy of the project is running here.
     */
    @ActivityMethod(name = "GoldenClear")
    void clearGolden(String projectId);

    /** The project's current generation on this host, or null when it has none. */
    @ActivityMethod(name = "GoldenCurrent")
    GoldenGeneration current(String projectId);

    /**
     * Copies the current golden into the session's own data dir (parallel reflink copy, heartbeating
     * {@link GoldenProgress} with the bytes copied) unless an earlier start completed it, writes the copy-complete
     * marker, then starts the session's daemon.
     */
    @ActivityMethod(name = SESSION_START)
    SessionInfo startSession(SessionStart request);

    /** Stops the session's daemon and waits for it to exit; removes its data dir if asked. */
    @ActivityMethod(name = "SessionStop")
    void stopSession(SessionStop request);

    /**
     * Removes session dirs whose daemon is not running and that have been idle for {@code idle}, build dirs left by
     * crashes, and generations that are neither current nor being copied.
     */
    @ActivityMethod(name = "GoldenCollectGarbage")
    GoldenGcResult collectGarbage(Duration idle);
}
