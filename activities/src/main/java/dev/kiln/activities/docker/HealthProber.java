package dev.kiln.activities.docker;

import static java.util.Objects.requireNonNull;

import dev.kiln.workflows.build.recipe.ExecutionContext;
import dev.kiln.workflows.build.recipe.Shell;
import dev.kiln.workflows.sandbox.HealthProbe;
import dev.kiln.workflows.sandbox.HealthResult;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Probes a healthcheck command the way the reference builder does (wrenn.md 1.6), with its open ends closed: the
 * first probe runs one interval after the start, each probe is an exec killed at the probe timeout, failures
 * within the start period do not count, and with retries above zero probing stops once that many failures have
 * counted. With retries at zero it probes until healthy or cancelled; the workflow's deadline does the cancelling.
 */
final class HealthProber {

    /** Between heartbeats while waiting for the next probe, so that a cancel is noticed within about a second. */
    private static final long HEARTBEAT_MILLIS = 1_000;
    private static final int OUTPUT_TAIL_CHARS = 2 * 1024;

    private final ContainerExec exec;

    HealthProber(ContainerExec exec) {
        this.exec = requireNonNull(exec, "exec is null");
    }

    /**
     * @param heartbeat called at least once a second, with the probes so far; when it throws (a cancel), probing
     *     stops, a running probe is killed, and the exception propagates
     */
    HealthResult probe(HealthProbe request, Consumer<ProbeProgress> heartbeat) throws InterruptedException {
        long started = System.nanoTime();
        long startPeriodNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, request.startPeriodMs()));
        Duration interval = Duration.ofMillis(Math.max(1, request.intervalMs()));
        ExecRequest probe = ExecRequest.asRoot(request.containerId(), request.buildId() + "/healthcheck",
                command(request), Duration.ofMillis(Math.max(1, request.timeoutMs())));
        int attempts = 0;
        int failures = 0;
        int lastExitCode = 0;
        while (true) {
            await(interval, new ProbeProgress(attempts, failures, lastExitCode), heartbeat);
            boolean inStartPeriod = System.nanoTime() - started < startPeriodNanos;
            attempts++;
            ProbeProgress running = new ProbeProgress(attempts, failures, lastExitCode);
            ExecResult result = exec.run(probe, progress -> heartbeat.accept(running));
            lastExitCode = result.exitCode();
            if (result.ok()) {
                heartbeat.accept(new ProbeProgress(attempts, failures, lastExitCode));
                return new HealthResult(true, attempts, failures, "");
            }
            if (!inStartPeriod) {
                failures++;
            }
            heartbeat.accept(new ProbeProgress(attempts, failures, lastExitCode));
            if (request.retries() > 0 && failures >= request.retries()) {
                return new HealthResult(false, attempts, failures, tail(result.stdoutTail() + result.stderrTail()));
            }
        }
    }

    /** Probes run as root, in {@code su} for another user; ENV and WORKDIR do not apply, as in the reference. */
    private static String command(HealthProbe request) {
        String user = request.user();
        if (user == null || user.isEmpty() || ExecutionContext.ROOT.equals(user)) {
            return request.command();
        }
        return "su " + Shell.quote(user) + " -s /bin/sh -c " + Shell.quote(request.command());
    }

    private static void await(Duration interval, ProbeProgress progress, Consumer<ProbeProgress> heartbeat)
            throws InterruptedException {
        long deadline = System.nanoTime() + interval.toNanos();
        while (true) {
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remaining <= 0) {
                return;
            }
            Thread.sleep(Math.min(remaining, HEARTBEAT_MILLIS));
            heartbeat.accept(progress);
        }
    }

    private static String tail(String output) {
        return output.length() <= OUTPUT_TAIL_CHARS ? output : output.substring(output.length() - OUTPUT_TAIL_CHARS);
    }
}
