package dev.kiln.workflows.golden;

import java.util.List;

/**
 * Payload: what purging a build's staging data dir removed. {@code prunedLayers} is 0 when the layer DB was
 * empty and the prune was skipped ({@code pruneSkipped}).
 */
public record GoldenPurgeResult(
        String buildId, List<String> removedEntries, int prunedLayers, boolean pruneSkipped, long sizeBytes) {}
