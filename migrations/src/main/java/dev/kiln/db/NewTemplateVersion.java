package dev.kiln.db;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * A version as its build or snapshot knows it, before a publish gives it a template and a number: those are known
 * only once the publish holds the name. The fields are {@link TemplateVersionRow}'s.
 */
public record NewTemplateVersion(
        String id,
        String type,
        String imageRef,
        int vcpus,
        int memoryMb,
        long sizeBytes,
        String defaultUser,
        Map<String, String> defaultEnv,
        String defaultWorkdir,
        String buildId,
        String snapshotId,
        String parentTemplateId,
        String parentName,
        Integer parentVersion,
        String recipeSha256,
        String imageDigest,
        String baseImageDigest) {
    public NewTemplateVersion {
        requireNonNull(id, "id");
        requireNonNull(type, "type");
        requireNonNull(imageRef, "imageRef");
    }

    TemplateVersionRow numbered(String templateId, int version, Instant createdAt) {
        return new TemplateVersionRow(templateId, version, id, type, imageRef, vcpus, memoryMb, sizeBytes, defaultUser,
                defaultEnv, defaultWorkdir, buildId, snapshotId, parentTemplateId, parentName, parentVersion,
                recipeSha256, imageDigest, baseImageDigest, null, null, null, createdAt);
    }
}
