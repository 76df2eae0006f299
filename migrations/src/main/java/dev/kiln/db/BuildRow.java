package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import dev.kiln.model.BuildStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A row of {@code template_builds}. A null {@code defaultUser} means root, a null {@code defaultEnv} empty, and a
 * null {@code createdAt} is filled in by the database on insert. {@code cancelRequestedAt} is set by a cancel through
 * the API and is not written by {@link BuildDao#insert}.
 */
public record BuildRow(
        String id,
        String teamId,
        String name,
        String baseTemplate,
        String baseImageRef,
        @Jsonb List<String> recipe,
        String healthcheck,
        int vcpus,
        int memoryMb,
        boolean skipPrePost,
        BuildStatus status,
        int currentStep,
        int completedSteps,
        int totalSteps,
        String errorMessage,
        Integer errorStep,
        String hostId,
        String templateId,
        String defaultUser,
        @Jsonb Map<String, String> defaultEnv,
        String createdBy,
        String cancelledBy,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Instant cancelRequestedAt) {
    public BuildRow {
        requireNonNull(id, "id");
        requireNonNull(teamId, "teamId");
        requireNonNull(name, "name");
        requireNonNull(baseTemplate, "baseTemplate");
        requireNonNull(baseImageRef, "baseImageRef");
        requireNonNull(recipe, "recipe");
        requireNonNull(status, "status");
        defaultUser = defaultUser == null ? "root" : defaultUser;
        defaultEnv = defaultEnv == null ? Map.of() : defaultEnv;
    }
}
