package dev.kiln.workflows.build;

/** Payload: a parsed healthcheck; {@code retries} 0 probes until the build deadline. */
public record HealthcheckSpec(String command, long intervalMs, long timeoutMs, long startPeriodMs, int retries) {}
