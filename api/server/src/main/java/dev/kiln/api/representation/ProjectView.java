package dev.kiln.api.representation;

import dev.kiln.db.ProjectRow;
import java.time.Instant;

public record ProjectView(String id, String name, String warmupScript, boolean autoWarm, Instant createdAt,
        Instant updatedAt) {
    public static ProjectView of(ProjectRow row) {
        return new ProjectView(row.id(), row.name(), row.warmupScript(), row.autoWarm(), row.createdAt(), row.updatedAt());
    }
}
