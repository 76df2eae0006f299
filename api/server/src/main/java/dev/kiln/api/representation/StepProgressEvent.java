package dev.kiln.api.representation;

/** Data of an {@code event: progress}: how long the running step has run and how much it has printed. */
public record StepProgressEvent(int step, long elapsedMs, long outputBytes) {}
