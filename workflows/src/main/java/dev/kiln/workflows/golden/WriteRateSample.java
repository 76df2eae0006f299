package dev.kiln.workflows.golden;

/** One sample: cumulative bytes written by a build's daemon and containers at {@code tMs} (epoch millis). */
public record WriteRateSample(long tMs, long writeBytes) {}
