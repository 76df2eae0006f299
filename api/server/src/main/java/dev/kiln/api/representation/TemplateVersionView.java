package dev.kiln.api.representation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.db.TemplateRow;
import dev.kiln.db.TemplateVersionRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One version of a template, with its lineage, the tags that point at it and whether it is revoked. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TemplateVersionView(
        String template,
        int version,
        String id,
        String type,
        int vcpus,
        int memoryMb,
        long sizeBytes,
        String defaultUser,
        Map<String, String> defaultEnv,
        String defaultWorkdir,
        List<String> tags,
        String buildId,
        String snapshotId,
        Parent parent,
        String recipeSha256,
        String imageDigest,
        String baseImageDigest,
        boolean revoked,
        Instant revokedAt,
        String revokedBy,
        String revokeReason,
        Instant createdAt) {

    /** The template and version this one was built or snapshotted from, as they were named then. */
    public record Parent(String template, String templateId, Integer version) {}

    public static TemplateVersionView of(TemplateRow template, TemplateVersionRow version, List<String> tags) {
        Parent parent = version.parentTemplateId() == null ? null
                : new Parent(version.parentName(), version.parentTemplateId(), version.parentVersion());
        return new TemplateVersionView(template.name(), version.version(), version.id(), version.type(),
                version.vcpus(), version.memoryMb(), version.sizeBytes(), version.defaultUser(), version.defaultEnv(),
                version.defaultWorkdir(), List.copyOf(tags), version.buildId(), version.snapshotId(), parent,
                version.recipeSha256(), version.imageDigest(), version.baseImageDigest(), version.revoked(),
                version.revokedAt(), version.revokedBy(), version.revokeReason(), version.createdAt());
    }
}
