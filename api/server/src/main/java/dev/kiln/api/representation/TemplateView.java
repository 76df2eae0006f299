package dev.kiln.api.representation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.Ids;
import dev.kiln.db.TemplateRow;
import java.time.Instant;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record TemplateView(
        String id,
        String teamId,
        String name,
        String type,
        int vcpus,
        int memoryMb,
        long sizeBytes,
        String defaultUser,
        Map<String, String> defaultEnv,
        String defaultWorkdir,
        boolean platform,
        String buildId,
        Instant createdAt) {

    public static TemplateView of(TemplateRow row) {
        return new TemplateView(row.id(), row.teamId(), row.name(), row.type(), row.vcpus(), row.memoryMb(), row.sizeBytes(),
                row.defaultUser(), row.defaultEnv(), row.defaultWorkdir(), Ids.PLATFORM_TEAM_ID.equals(row.teamId()),
                row.buildId(), row.createdAt());
    }
}
