package dev.kiln.api.representation;

import java.time.Instant;
import java.util.List;

/** {@code source} is {@code live} (asked from the host) or {@code stored} (flushed when the sandbox paused). */
public record MetricsView(String range, String source, List<Point> points) {
    public record Point(Instant t, double cpuPct, long rssBytes, long diskBytes) {}
}
