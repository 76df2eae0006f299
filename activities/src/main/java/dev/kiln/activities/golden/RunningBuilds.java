package dev.kiln.activities.golden;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The golden builds whose activity runs in this worker right now. The builder registers each one; purge, garbage
 * collection and cancel look here, so none of them touches a build dir its daemon still writes to.
 */
final class RunningBuilds {
    private final ConcurrentHashMap<String, RunningBuild> builds = new ConcurrentHashMap<>();

    /** What a cancel from another activity reaches while the build's own activity runs. */
    static final class RunningBuild {
        volatile boolean cancelled;
        volatile Process script;
        volatile SessionDaemon daemon;
        volatile WriteRateSampler sampler;
        /** The heartbeat's exception (a cancel through Temporal), rethrown once the build has cleaned up. */
        volatile RuntimeException heartbeatFailure;
        final CountDownLatch done = new CountDownLatch(1);
    }

    /** Registers the build; refused while another attempt of it still runs here. */
    RunningBuild register(String buildId) {
        RunningBuild running = new RunningBuild();
        if (builds.putIfAbsent(buildId, running) != null) {
            throw GoldenRefusal.alreadyRunning("build " + buildId + " is already running on this host");
        }
        return running;
    }

    /** Ends the registration and wakes whoever waits for the build to finish. */
    void finished(String buildId, RunningBuild running) {
        builds.remove(buildId, running);
        running.done.countDown();
    }

    Optional<RunningBuild> get(String buildId) {
        return Optional.ofNullable(builds.get(buildId));
    }

    boolean contains(String buildId) {
        return builds.containsKey(buildId);
    }
}
