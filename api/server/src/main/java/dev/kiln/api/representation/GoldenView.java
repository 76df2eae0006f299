package dev.kiln.api.representation;

import dev.kiln.db.GoldenHostRow;
import dev.kiln.model.GoldenStatus;
import java.time.Instant;
import java.util.Map;

/** A project's goldens: overall {@code none|building|ready|failed}, and each host's. */
public record GoldenView(GoldenStatus status, Map<String, Host> hosts) {
    public record Host(GoldenStatus status, long generation, long sizeBytes, Instant lastBuildAt, Instant lastReadyAt,
            String buildId, String error) {
        public static Host of(GoldenHostRow row) {
            return new Host(row.status(), row.generation(), row.sizeBytes(), row.lastBuildAt(), row.lastReadyAt(),
                    row.buildId(), row.error());
        }
    }
}
