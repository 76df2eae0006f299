package dev.kiln.cli.wire;

import java.util.List;

/** One version of a template ({@code TemplateVersion}); fields without a value are null. */
public record TemplateVersionView(
        int version,
        String type,
        List<String> tags,
        String buildId,
        String snapshotId,
        Parent parent,
        String recipeSha256,
        boolean revoked,
        String revokeReason,
        String createdAt) {
    public TemplateVersionView {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** What the version was built or snapshotted from. */
    public record Parent(String template, Integer version) {}
}
