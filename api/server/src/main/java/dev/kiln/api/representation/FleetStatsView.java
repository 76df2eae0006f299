package dev.kiln.api.representation;

import java.time.Instant;
import java.util.List;

/** Each point is the peak of its bucket of {@code step_seconds}, oldest first. */
public record FleetStatsView(String range, long stepSeconds, List<Point> points) {
    public record Point(Instant t, int running, int paused, int vcpusReserved, long memoryReservedMb) {}
}
