package dev.kiln.workflows.sandbox;

/** Payload: how probing ended; {@code lastOutput} is the tail of the last failed probe's output. */
public record HealthResult(boolean healthy, int attempts, int failures, String lastOutput) {}
