package dev.kiln.api.representation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.Ids;
import dev.kiln.db.TemplateAtVersion;
import dev.kiln.db.TemplateRow;
import dev.kiln.db.TemplateVersionRow;
import java.time.Instant;
import java.util.Map;

/**
 * A template at one of its versions: its {@code latest} in listings, the version a snapshot made in the snapshot's
 * answer. {@code id} is the template's; {@code version_id} the version's, which names its image.
 */
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
        Instant createdAt,
        int version,
        String versionId,
        Instant revokedAt) {

    public static TemplateView of(TemplateAtVersion listed) {
        return of(listed.template(), listed.version());
    }

    public static TemplateView of(TemplateRow template, TemplateVersionRow version) {
        return new TemplateView(template.id(), template.teamId(), template.name(), version.type(), version.vcpus(),
                version.memoryMb(), version.sizeBytes(), version.defaultUser(), version.defaultEnv(),
                version.defaultWorkdir(), Ids.PLATFORM_TEAM_ID.equals(template.teamId()), version.buildId(),
                template.createdAt(), version.version(), version.id(), version.revokedAt());
    }
}
