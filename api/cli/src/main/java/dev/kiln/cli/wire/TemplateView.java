package dev.kiln.cli.wire;

/** A template at its latest version ({@code Template}), as {@code GET /v1/templates} lists it. */
public record TemplateView(
        String id,
        String name,
        String type,
        boolean platform,
        Long sizeBytes,
        Integer version,
        String revokedAt,
        String createdAt) {}
