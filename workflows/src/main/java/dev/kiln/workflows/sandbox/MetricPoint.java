package dev.kiln.workflows.sandbox;

/** Payload: one sample (or average) of a sandbox's use; {@code t} is epoch milliseconds. */
public record MetricPoint(long t, double cpuPct, long rssBytes, long diskBytes) {}
