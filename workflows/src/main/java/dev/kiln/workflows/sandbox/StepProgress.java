package dev.kiln.workflows.sandbox;

/** Heartbeat details of a running step: how long it has run and how much it has printed on both streams. */
public record StepProgress(long elapsedMs, long outputBytes) {}
