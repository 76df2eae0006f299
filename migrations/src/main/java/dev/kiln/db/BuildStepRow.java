package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A row of {@code template_build_steps}; the result columns are null while the step runs. A {@code cached} step came
 * from the host's step cache and did not run.
 */
public record BuildStepRow(
        String buildId,
        int step,
        String phase,
        String command,
        String stdout,
        String stderr,
        Integer exitCode,
        Boolean ok,
        Long elapsedMs,
        Instant startedAt,
        Instant finishedAt,
        boolean cached) {
    public BuildStepRow {
        requireNonNull(buildId, "buildId");
        requireNonNull(phase, "phase");
        requireNonNull(command, "command");
    }
}
