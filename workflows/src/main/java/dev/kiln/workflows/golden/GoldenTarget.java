package dev.kiln.workflows.golden;

/** Payload: one host's build in a round; {@code n} counts the project's builds on that host. */
public record GoldenTarget(String hostId, String buildId, long n, boolean incremental) {}
