package dev.kiln.activities.golden;

import static java.util.Objects.requireNonNull;

import dev.kiln.activities.golden.RunningBuilds.RunningBuild;
import dev.kiln.workflows.golden.GoldenProgress;
import dev.kiln.workflows.golden.WriteRateSeries;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One build's heartbeats, with the elapsed time, the bytes written so far and the write series once the daemon runs,
 * and its checks: a cancel from another activity and the one deadline of the whole build stop it at its next
 * heartbeat.
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
        heartbeat.accept(new GoldenProgress(phase, elapsedMs(), copied, total, written, message, io()));
    }

    /** While the script runs; the script's loop checks cancel and deadline itself, so a throw here is a cancel. */
    void beatScript() {
        heartbeat.accept(new GoldenProgress(GoldenProgress.SCRIPT, elapsedMs(), 0, 0, written(),
                "Running the warm-up script", io()));
    }

    /** After the script: the deadline no longer applies, the daemon is stopped whatever happens. */
    void beatUnchecked(String phase, String message) {
        try {
            heartbeat.accept(new GoldenProgress(phase, elapsedMs(), 0, 0, written(), message, io()));
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

    /**
     * The series so far, thinned for the heartbeat: it is how kiln-api shows a running build's write rate, and it is
     * sent about once a second. The rate stays the one between the last two samples taken.
     */
    private WriteRateSeries io() {
        WriteRateSampler sampler = running.sampler;
        if (sampler == null) {
            return null;
        }
        WriteRateSeries series = sampler.series();
        return new WriteRateSeries(series.buildId(),
                WriteRates.thinned(series.samples(), GoldenProgress.MAX_IO_SAMPLES), series.writeRateMbps(),
                series.source(), series.running());
    }

    /** Bytes written so far: the newest sample, 0 before the daemon runs. */
    private long written() {
        WriteRateSampler sampler = running.sampler;
        if (sampler == null) {
            return 0;
        }
        var samples = sampler.series().samples();
        return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).writeBytes();
    }
}
