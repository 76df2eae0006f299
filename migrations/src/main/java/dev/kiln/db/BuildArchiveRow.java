package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A row of {@code build_archives} without its content, which is only ever streamed. */
public record BuildArchiveRow(String buildId, String format, long sizeBytes, String sha256, Instant createdAt) {
    public BuildArchiveRow {
        requireNonNull(buildId, "buildId");
        requireNonNull(format, "format");
        requireNonNull(sha256, "sha256");
    }
}
