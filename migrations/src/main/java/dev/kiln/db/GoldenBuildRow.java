package dev.kiln.db;

import dev.kiln.model.GoldenBuildStatus;
import java.time.Instant;

/** A row of {@code golden_builds}; {@code io} is the write-rate series as JSON, kept once the build ends. */
public record GoldenBuildRow(
        String id, String projectId, String hostId, String workflowId, GoldenBuildStatus status, Long generation,
        String error, String io, Instant startedAt, Instant finishedAt) {}
