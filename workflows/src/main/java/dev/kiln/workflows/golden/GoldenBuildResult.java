package dev.kiln.workflows.golden;

/**
 * Payload: how a host's golden build ended. A failed script, a missing script or a timeout is a result
 * ({@code ok() == false}), not an exception; on failure the build's dir is already gone and the old golden is
 * untouched. {@code outputTail} is the last few KiB of the script's combined output. {@code stagingDir} is the
 * stopped daemon's data dir waiting for purge and promote, or null after a failure.
 */
public record GoldenBuildResult(
        String buildId, int exitCode, boolean timedOut, String failure, String outputTail, String stagingDir,
        long elapsedMs, long baseGeneration) {

    public boolean ok() {
        return exitCode == 0 && !timedOut && failure == null;
    }
}
