package dev.kiln.workflows.sandbox;

/**
 * Payload: what a step did, and the context after it. Output is the tail only (the last few KiB of each
 * stream), so that a chatty step cannot blow up workflow history.
 */
public record StepOutcome(
        int step, int exitCode, String stdoutTail, String stderrTail, long elapsedMs, boolean timedOut,
        StepContext context) {

    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }
}
