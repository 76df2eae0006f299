package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A row of {@code host_registration_tokens}. */
public record RegistrationTokenRow(
        String id,
        String hostId,
        String tokenHash,
        String createdBy,
        Instant createdAt,
        Instant expiresAt,
        Instant usedAt) {
    public RegistrationTokenRow {
        requireNonNull(id, "id");
        requireNonNull(hostId, "hostId");
        requireNonNull(tokenHash, "tokenHash");
        requireNonNull(expiresAt, "expiresAt");
    }
}
