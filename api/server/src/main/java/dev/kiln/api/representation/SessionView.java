package dev.kiln.api.representation;

import dev.kiln.model.SessionStatus;
import java.time.Instant;

/** {@code status_message} reads "Unpacking build cache (2.1/7.0 GB)" while the copy runs, and is empty after. */
public record SessionView(
        String id, String projectId, SessionStatus status, String statusMessage, long copiedBytes, long totalBytes,
        String hostId, Long generation, String dockerHost, String error, Instant createdAt) {}
