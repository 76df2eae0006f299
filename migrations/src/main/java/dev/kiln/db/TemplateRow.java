package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * A row of {@code templates}. A null {@code defaultUser} means root, a null {@code defaultEnv} empty, and a null
 * {@code createdAt} is filled in by the database on insert.
 */
public record TemplateRow(
        String id,
        String teamId,
        String name,
        String type,
        String imageRef,
        int vcpus,
        int memoryMb,
        long sizeBytes,
        String defaultUser,
        @Jsonb Map<String, String> defaultEnv,
        String defaultWorkdir,
        String buildId,
        Instant createdAt) {
    public TemplateRow {
        requireNonNull(id, "id");
        requireNonNull(teamId, "teamId");
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(imageRef, "imageRef");
        defaultUser = defaultUser == null ? "root" : defaultUser;
        defaultEnv = defaultEnv == null ? Map.of() : defaultEnv;
    }
}
