package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * A row of {@code template_versions}: one successful build or snapshot of a template's name, with its image, the
 * defaults sandboxes of it get, and its lineage. A null {@code defaultUser} means root, a null {@code defaultEnv}
 * empty, and a null {@code createdAt} is filled in on insert.
 *
 * @param id names the version's image; a template's first version shares the template's id
 * @param parentTemplateId the template the version was built or snapshotted from, with {@code parentName} and
 *     {@code parentVersion} as they were then
 * @param recipeSha256 the SHA-256 of the recipe's lines, each ending in a newline; null for a snapshot
 * @param imageDigest the Docker image id of the version's image on the host that made it
 * @param baseImageDigest the Docker image id of the image the version was made from, on that host
 */
public record TemplateVersionRow(
        String templateId,
        int version,
        String id,
        String type,
        String imageRef,
        int vcpus,
        int memoryMb,
        long sizeBytes,
        String defaultUser,
        @Jsonb Map<String, String> defaultEnv,
        String defaultWorkdir,
        String buildId,
        String snapshotId,
        String parentTemplateId,
        String parentName,
        Integer parentVersion,
        String recipeSha256,
        String imageDigest,
        String baseImageDigest,
        Instant revokedAt,
        String revokedBy,
        String revokeReason,
        Instant createdAt) {
    public TemplateVersionRow {
        requireNonNull(templateId, "templateId");
        requireNonNull(id, "id");
        requireNonNull(type, "type");
        requireNonNull(imageRef, "imageRef");
        defaultUser = defaultUser == null ? "root" : defaultUser;
        defaultEnv = defaultEnv == null ? Map.of() : defaultEnv;
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}
