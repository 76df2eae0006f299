package dev.kiln.activities.docker;

/**
 * How a {@link ContainerExec} command ended; the output is the tail of each stream, and {@code stdoutBytes} and
 * {@code stderrBytes} how much each stream carried in all. A timed-out exit code is -1.
 */
public record ExecResult(
        int exitCode, String stdoutTail, String stderrTail, long elapsedMs, boolean timedOut, long stdoutBytes,
        long stderrBytes) {

    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }
}
