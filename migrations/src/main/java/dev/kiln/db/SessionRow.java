package dev.kiln.db;

import dev.kiln.model.SessionStatus;
import java.time.Instant;

/** A row of {@code sessions}: a dev session's own Docker daemon, started from a copy of its project's golden. */
public record SessionRow(
        String id, String projectId, String teamId, String hostId, SessionStatus status, Long generation,
        long copiedBytes, long totalBytes, String dockerHost, String error, Instant createdAt, Instant updatedAt) {}
