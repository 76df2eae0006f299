package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A row of {@code host_refresh_tokens}. */
public record RefreshTokenRow(
        String id, String hostId, String tokenHash, Instant createdAt, Instant expiresAt, Instant revokedAt) {
    public RefreshTokenRow {
        requireNonNull(id, "id");
        requireNonNull(hostId, "hostId");
        requireNonNull(tokenHash, "tokenHash");
        requireNonNull(expiresAt, "expiresAt");
    }
}
