package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import dev.kiln.activities.golden.RunningBuilds.RunningBuild;
import dev.kiln.workflows.golden.GoldenProgress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One build's heartbeats, with the elapsed time and the bytes written so far, and its checks: a cancel from another
 * activity and the one deadline of the whole build stop it at its next heartbeat.
 */
final class BuildPhase {
    private final Consumer<GoldenProgress> heartbeat;
    private final long startedNanos;
    private final long deadlineNanos;
    private final RunningBuild running;

    BuildPhase(Consumer<GoldenProgress> heartbeat, long startedNanos, long deadlineNanos, RunningBuild running) {
        this.heartbeat = requireNonNull(heartbeat, "heartbeat is null");
        this.startedNanos = startedNanos;
        this.deadlineNanos = deadlineNanos;
        this.running = requireNonNull(running, "running is null");
    }

    /** Thrown by {@link #beat} once the build's deadline has passed. */
    static final class DeadlineExceeded extends RuntimeException {
        DeadlineExceeded(String message) {
            super(message);
        }
    }

    /** Before the script: a cancel or the deadline stops the build here. */
    void beat(String phase, long copied, long total, long written, String message) {
        if (running.cancelled) {
            throw new IllegalStateException("build cancelled on the host");
        }
        if (System.nanoTime() > deadlineNanos) {
            throw new DeadlineExceeded("deadline passed during " + phase);
        }
        heartbeat.accept(new GoldenProgress(phase, elapsedMs(), copied, total, written, message));
    }

    /** While the script runs; the script's loop checks cancel and deadline itself, so a throw here is a cancel. */
    void beatScript(WriteRateSampler sampler) {
        heartbeat.accept(new GoldenProgress(GoldenProgress.SCRIPT, elapsedMs(), 0, 0, written(sampler),
                "Running the warm-up script"));
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

    private static long written(WriteRateSampler sampler) {
        var samples = sampler.series().samples();
        return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).writeBytes();
    }
}
