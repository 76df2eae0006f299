package dev.kiln.db;

import dev.kiln.model.GoldenStatus;
import java.time.Instant;

/** A row of {@code golden_hosts}: one host's golden of one project. */
public record GoldenHostRow(
        String projectId, String hostId, GoldenStatus status, long generation, long sizeBytes, String buildId,
        String error, Instant lastBuildAt, Instant lastReadyAt) {}
