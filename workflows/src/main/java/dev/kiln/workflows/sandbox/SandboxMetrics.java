package dev.kiln.workflows.sandbox;

import java.util.List;

/**
 * Payload: a sandbox's samples in three tiers, oldest first: every 500 ms for the last 10 minutes, 30 s
 * averages for 2 hours, 5 min averages for 24 hours.
 */
public record SandboxMetrics(List<MetricPoint> raw, List<MetricPoint> halfMinute, List<MetricPoint> fiveMinute) {
    public static SandboxMetrics empty() {
        return new SandboxMetrics(List.of(), List.of(), List.of());
    }
}
