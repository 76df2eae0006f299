package dev.kiln.workflows.sandbox;

/** Payload: probe a command in the sandbox until it succeeds, the retries run out, or the activity is cancelled. */
public record HealthProbe(
        String buildId, String containerId, String command, String user, long intervalMs, long timeoutMs,
        long startPeriodMs, int retries) {}
