package dev.kiln.activities.docker;

/** Heartbeat details of a healthcheck: probes started so far, failures counted, and the last probe's exit code. */
public record ProbeProgress(int attempt, int failures, int lastExitCode) {}
