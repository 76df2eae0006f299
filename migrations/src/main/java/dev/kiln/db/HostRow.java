package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import dev.kiln.model.HostStatus;
import java.time.Instant;
import java.util.Map;

/**
 * A row of {@code hosts}. The hardware columns stay null until the host registers; null {@code labels} or
 * {@code load} mean empty, and null {@code createdAt} or {@code updatedAt} are filled in by the database on insert.
 */
public record HostRow(
        String id,
        String type,
        String teamId,
        HostStatus status,
        String arch,
        Integer cpuCores,
        Long memoryMb,
        Long diskGb,
        String address,
        @Jsonb Map<String, String> labels,
        @Jsonb Map<String, Object> load,
        Instant lastHeartbeatAt,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        boolean draining) {
    public HostRow {
        requireNonNull(id, "id");
        requireNonNull(type, "type");
        requireNonNull(status, "status");
        labels = labels == null ? Map.of() : labels;
        load = load == null ? Map.of() : load;
    }
}
