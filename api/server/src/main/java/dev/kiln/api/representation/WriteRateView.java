package dev.kiln.api.representation;

import dev.kiln.model.GoldenBuildStatus;
import java.time.Instant;
import java.util.List;

public record WriteRateView(String buildId, GoldenBuildStatus status, List<Sample> samples, double writeRateMbps,
        String source) {
    public record Sample(Instant t, long writeBytes) {}
}
