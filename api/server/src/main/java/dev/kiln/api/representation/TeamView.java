package dev.kiln.api.representation;

import dev.kiln.db.TeamRow;
import java.time.Instant;

public record TeamView(String id, String name, boolean byoc, Instant createdAt) {
    public static TeamView of(TeamRow row) {
        return new TeamView(row.id(), row.name(), row.byoc(), row.createdAt());
    }
}
